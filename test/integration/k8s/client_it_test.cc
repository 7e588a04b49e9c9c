// ApiClient verbs, paging, optimistic concurrency and events against the real kube-apiserver.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/k8s/event_recorder.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/status_writer.h"
#include "it_env.h"

namespace ironlb::k8s::it {
namespace {

using namespace std::chrono_literals;

Json configMap(const std::string& name, const std::string& label) {
  return Json{{"metadata", {{"name", name}, {"labels", {{"run", label}}}}}, {"data", {{"k", "v"}}}};
}

Json loadBalancer(const std::string& name) {
  return Json{
      {"metadata", {{"name", name}}},
      {"spec",
       {{"type", "LoadBalancer"}, {"ports", Json::array({{{"port", 80}, {"protocol", "TCP"}}})}}}};
}

TEST(ClientIT, ListPagesWithContinueTokens) {
  const std::string run = uniqueName("page");
  for (int i = 0; i < 25; ++i) {
    auto r = admin().create(resources::kConfigMaps, env().ns,
                            configMap(run + "-" + std::to_string(i), run));
    ASSERT_TRUE(r.ok()) << r.error().describe();
  }
  auto first =
      admin().list(resources::kConfigMaps, env().ns, {.labelSelector = "run=" + run, .limit = 10});
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first->items.size(), 10u);
  EXPECT_FALSE(first->continueToken.empty());
  auto second = admin().list(
      resources::kConfigMaps, env().ns,
      {.labelSelector = "run=" + run, .limit = 10, .continueToken = first->continueToken});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items.size(), 10u);
  EXPECT_EQ(second->resourceVersion, first->resourceVersion) << "one consistent snapshot";

  auto all = admin().listAll(resources::kConfigMaps, env().ns,
                             {.labelSelector = "run=" + run, .limit = 10});
  ASSERT_TRUE(all.ok()) << all.error().describe();
  std::set<std::string> names;
  for (const auto& item : all->items)
    names.insert(nameOf(item));
  EXPECT_EQ(names.size(), 25u);
  EXPECT_TRUE(all->continueToken.empty());
  EXPECT_FALSE(all->resourceVersion.empty());

  auto none = admin().list(resources::kConfigMaps, env().ns, {.labelSelector = "run=absent"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
}

TEST(ClientIT, VerbsAndTheErrorsCallersBranchOn) {
  const std::string name = uniqueName("crud");
  auto created = admin().create(resources::kConfigMaps, env().ns, configMap(name, "crud"));
  ASSERT_TRUE(created.ok()) << created.error().describe();
  auto again = admin().create(resources::kConfigMaps, env().ns, configMap(name, "crud"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().isAlreadyExists()) << again.error().describe();

  Json stale = *created;
  Json fresh = *created;
  fresh["data"]["k"] = "v2";
  auto updated = admin().update(resources::kConfigMaps, fresh);
  ASSERT_TRUE(updated.ok()) << updated.error().describe();
  stale["data"]["k"] = "v3";
  auto conflict = admin().update(resources::kConfigMaps, stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_TRUE(conflict.error().isConflict()) << conflict.error().describe();

  auto merged = admin().patch(resources::kConfigMaps, env().ns, name, PatchType::kMerge,
                              Json{{"data", {{"m", "1"}}}});
  ASSERT_TRUE(merged.ok()) << merged.error().describe();
  EXPECT_EQ((*merged)["data"]["k"], "v2");
  EXPECT_EQ((*merged)["data"]["m"], "1");
  auto jsonPatched =
      admin().patch(resources::kConfigMaps, env().ns, name, PatchType::kJsonPatch,
                    Json::array({{{"op", "add"}, {"path", "/data/j"}, {"value", "2"}}}));
  ASSERT_TRUE(jsonPatched.ok()) << jsonPatched.error().describe();
  EXPECT_EQ((*jsonPatched)["data"]["j"], "2");

  auto invalid = admin().create(resources::kConfigMaps, env().ns,
                                Json{{"metadata", {{"name", "Not_A_Valid_Name"}}}});
  ASSERT_FALSE(invalid.ok());
  EXPECT_TRUE(invalid.error().isInvalid()) << invalid.error().describe();

  auto wrongUid = admin().remove(resources::kConfigMaps, env().ns, name,
                                 {.preconditionUid = "00000000-0000-0000-0000-000000000000"});
  ASSERT_FALSE(wrongUid.ok());
  EXPECT_TRUE(wrongUid.error().isConflict()) << wrongUid.error().describe();
  ASSERT_TRUE(
      admin()
          .remove(resources::kConfigMaps, env().ns, name, {.preconditionUid = uidOf(*created)})
          .ok());
  auto gone = admin().get(resources::kConfigMaps, env().ns, name);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.error().isNotFound());
  EXPECT_EQ(gone.error().describe(), "GET /api/v1/namespaces/" + env().ns + "/configmaps/" + name +
                                         ": 404 NotFound: configmaps \"" + name + "\" not found");
}

TEST(ClientIT, StatusUpdateRetriesAfterAConflictingWriter) {
  const std::string name = uniqueName("lb");
  ASSERT_TRUE(admin().create(resources::kServices, env().ns, loadBalancer(name)).ok());
  int calls = 0;
  auto r = updateStatusWithRetry(admin(), resources::kServices, env().ns, name, [&](Json& svc) {
    ++calls;
    if (calls == 1) {
      // Another writer changes the Service between our read and our write.
      auto other = admin().patch(resources::kServices, env().ns, name, PatchType::kMerge,
                                 Json{{"metadata", {{"labels", {{"touched", "yes"}}}}}});
      EXPECT_TRUE(other.ok());
    }
    svc["status"]["loadBalancer"]["ingress"] = Json::array({{{"ip", "192.0.2.10"}}});
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(calls, 2) << "the first PUT hit 409 Conflict and was re-applied on a fresh read";
  auto now = admin().get(resources::kServices, env().ns, name);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)["metadata"]["labels"]["touched"], "yes") << "the other write survived";
  EXPECT_EQ((*now)["status"]["loadBalancer"]["ingress"][0]["ip"], "192.0.2.10");
}

TEST(ClientIT, ConcurrentWritersLoseNoUpdates) {
  const std::string name = uniqueName("race");
  ASSERT_TRUE(admin().create(resources::kConfigMaps, env().ns, configMap(name, "race")).ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      auto c = connect(env().kubeconfig);
      for (int i = 0; i < kEach; ++i) {
        const std::string key = "w" + std::to_string(t) + "-" + std::to_string(i);
        auto r = updateWithRetry(*c->api, resources::kConfigMaps, env().ns, name,
                                 [&](Json& cm) {
                                   cm["data"][key] = "x";
                                   return true;
                                 },
                                 {.maxAttempts = 50});
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& w : writers)
    w.join();
  EXPECT_EQ(failures.load(), 0);
  auto final = admin().get(resources::kConfigMaps, env().ns, name);
  ASSERT_TRUE(final.ok());
  EXPECT_EQ((*final)["data"].size(), static_cast<size_t>(kThreads * kEach + 1));
}

TEST(ClientIT, RepeatedEventsAreAggregatedIntoOne) {
  const std::string name = uniqueName("evsvc");
  auto svc = admin().create(resources::kServices, env().ns, loadBalancer(name));
  ASSERT_TRUE(svc.ok());
  EventRecorder events(admin(), {.component = "ironlb-controller", .host = "it-host"});
  events.start();
  const ObjectReference ref = referenceTo(resources::kServices, *svc);
  for (int i = 0; i < 3; ++i) {
    events.record(ref, EventType::kNormal, "IPAllocated", "Assigned IP [\"192.0.2.10\"]");
  }
  events.record(ref, EventType::kWarning, "AllocationFailed", "pool exhausted");
  ASSERT_TRUE(events.flush(30s));
  auto list =
      admin().list(resources::kEvents, env().ns, {.fieldSelector = "involvedObject.name=" + name});
  ASSERT_TRUE(list.ok()) << list.error().describe();
  ASSERT_EQ(list->items.size(), 2u);
  for (const auto& ev : list->items) {
    EXPECT_EQ(ev["involvedObject"]["uid"], uidOf(*svc));
    EXPECT_EQ(ev["source"]["component"], "ironlb-controller");
    if (ev["reason"] == "IPAllocated") {
      EXPECT_EQ(ev["count"], 3);
      EXPECT_EQ(ev["type"], "Normal");
    } else {
      EXPECT_EQ(ev["reason"], "AllocationFailed");
      EXPECT_EQ(ev["count"], 1);
      EXPECT_EQ(ev["type"], "Warning");
    }
  }
}

}  // namespace
}  // namespace ironlb::k8s::it
