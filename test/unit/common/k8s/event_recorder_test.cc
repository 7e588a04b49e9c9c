#include "common/k8s/event_recorder.h"

#include <gtest/gtest.h>

#include <set>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/testing/fake_transport.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::statusBody;

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorderTest() : metrics_(registry_), api_(transport_) {
    transport_.setFallback([](const HttpRequest& r) -> Result<HttpResponse> {
      return HttpResponse{r.method == "POST" ? 201 : 200, {}, r.body.empty() ? "{}" : r.body};
    });
  }
  std::unique_ptr<EventRecorder> make(EventAggregationOptions agg = {}, size_t maxQueue = 4) {
    auto r =
        std::make_unique<EventRecorder>(api_, EventRecorderOptions{.component = "ironlb-controller",
                                                                   .host = "node-1",
                                                                   .aggregation = agg,
                                                                   .maxQueue = maxQueue,
                                                                   .clock = &clock_,
                                                                   .metrics = &metrics_});
    return r;
  }
  const ObjectReference svc_{"v1", "Service", "a", "web", "uid-1", "7"};
  util::MetricsRegistry registry_;
  K8sMetrics metrics_;
  FakeTransport transport_;
  ApiClient api_;
  util::ManualClock clock_;
};

TEST_F(EventRecorderTest, CreatesACoreV1Event) {
  auto rec = make();
  rec->start();
  rec->record(svc_, EventType::kWarning, "AllocationFailed", "no available IPs");
  ASSERT_TRUE(rec->flush(5s));
  const auto reqs = transport_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/api/v1/namespaces/a/events");
  const Json ev = Json::parse(reqs[0].body);
  EXPECT_EQ(ev["type"], "Warning");
  EXPECT_EQ(ev["reason"], "AllocationFailed");
  EXPECT_EQ(ev["message"], "no available IPs");
  EXPECT_EQ(ev["count"], 1);
  EXPECT_EQ(ev["involvedObject"], (Json{{"apiVersion", "v1"},
                                        {"kind", "Service"},
                                        {"namespace", "a"},
                                        {"name", "web"},
                                        {"uid", "uid-1"},
                                        {"resourceVersion", "7"}}));
  EXPECT_EQ(ev["source"], (Json{{"component", "ironlb-controller"}, {"host", "node-1"}}));
  EXPECT_EQ(ev["firstTimestamp"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(ev["lastTimestamp"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(ev["metadata"]["namespace"], "a");
  EXPECT_EQ(ev["metadata"]["name"].get<std::string>().rfind("web.", 0), 0u);
}

TEST_F(EventRecorderTest, RepeatPatchesCountAndLastTimestamp) {
  auto rec = make();
  rec->start();
  rec->record(svc_, EventType::kNormal, "IPAllocated", "Assigned IP 192.0.2.1");
  ASSERT_TRUE(rec->flush(5s));
  const std::string name = Json::parse(transport_.requests()[0].body)["metadata"]["name"];
  clock_.advance(30s);
  rec->record(svc_, EventType::kNormal, "IPAllocated", "Assigned IP 192.0.2.1");
  rec->record(svc_, EventType::kNormal, "IPAllocated", "Assigned IP 192.0.2.1");
  ASSERT_TRUE(rec->flush(5s));
  const auto reqs = transport_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].method, "PATCH");
  EXPECT_EQ(reqs[1].path, "/api/v1/namespaces/a/events/" + name);
  EXPECT_EQ(reqs[1].contentType, "application/merge-patch+json");
  EXPECT_EQ(Json::parse(reqs[1].body), (Json{{"count", 2},
                                             {"lastTimestamp", "2024-01-01T00:00:30Z"},
                                             {"message", "Assigned IP 192.0.2.1"}}));
  EXPECT_EQ(Json::parse(reqs[2].body)["count"], 3);
}

TEST_F(EventRecorderTest, ClusterScopedObjectsGetEventsInDefault) {
  auto rec = make();
  rec->start();
  rec->record({"v1", "Node", "", "node-1", "uid-n", ""}, EventType::kNormal, "R", "m");
  ASSERT_TRUE(rec->flush(5s));
  const auto reqs = transport_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/api/v1/namespaces/default/events");
  EXPECT_FALSE(Json::parse(reqs[0].body)["involvedObject"].contains("namespace"));
}

TEST_F(EventRecorderTest, ExpiredEventIsRecreated) {
  auto rec = make();
  rec->start();
  rec->record(svc_, EventType::kNormal, "R", "m");
  ASSERT_TRUE(rec->flush(5s));
  const std::string name = Json::parse(transport_.requests()[0].body)["metadata"]["name"];
  transport_.respond("PATCH", "/api/v1/namespaces/a/events/" + name, 404,
                     statusBody(404, "NotFound", "events not found"));
  clock_.advance(1s);
  rec->record(svc_, EventType::kNormal, "R", "m");
  ASSERT_TRUE(rec->flush(5s));
  const auto reqs = transport_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].method, "PATCH");
  EXPECT_EQ(reqs[2].method, "POST");
  EXPECT_NE(Json::parse(reqs[2].body)["metadata"]["name"], name);
}

TEST_F(EventRecorderTest, AHotLoopIsRateLimitedPerObject) {
  auto rec = make({.window = 10min, .objectBurst = 2, .objectRefillEvery = 1h, .maxEntries = 100});
  rec->start();
  for (int i = 0; i < 3; ++i) {
    rec->record(svc_, EventType::kNormal, "R" + std::to_string(i), "m");
    ASSERT_TRUE(rec->flush(5s));
  }
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_NE(
      registry_.render().find("ironlb_k8s_events_dropped_total{reason=\"object_rate_limit\"} 1"),
      std::string::npos)
      << registry_.render();
  // Another object still gets its Event.
  rec->record({"v1", "Service", "a", "db", "uid-2", "1"}, EventType::kNormal, "R0", "m");
  ASSERT_TRUE(rec->flush(5s));
  EXPECT_EQ(transport_.requests().size(), 3u);
}

// 3,000 Services allocated at once (as a controller does after a bulk create): every one gets
// its Event, whatever the writes cost.
TEST_F(EventRecorderTest, ABurstOfServicesAllGetTheirEvent) {
  auto rec = make({}, EventRecorderOptions{}.maxQueue);
  for (int i = 0; i < 3000; ++i) {
    rec->record({"v1", "Service", "a", "svc-" + std::to_string(i), "uid-" + std::to_string(i), "1"},
                EventType::kNormal, "IPAllocated", "Assigned IP");
  }
  rec->start();
  ASSERT_TRUE(rec->flush(60s));
  std::set<std::string> named;
  for (const auto& r : transport_.requests()) {
    if (r.method == "POST") named.insert(Json::parse(r.body)["involvedObject"]["name"]);
  }
  EXPECT_EQ(named.size(), 3000u);
  EXPECT_NE(
      registry_.render().find("ironlb_k8s_events_dropped_total{reason=\"global_rate_limit\"} 0"),
      std::string::npos)
      << registry_.render();
}

TEST_F(EventRecorderTest, AFloodAcrossObjectsHitsTheGlobalCeiling) {
  auto rec = make({.globalBurst = 5, .globalRefillEvery = 1h}, 100);
  for (int i = 0; i < 8; ++i) {
    rec->record({"v1", "Service", "a", "svc-" + std::to_string(i), "uid-" + std::to_string(i), "1"},
                EventType::kNormal, "R", "m");
  }
  rec->start();
  ASSERT_TRUE(rec->flush(5s));
  EXPECT_EQ(transport_.requests().size(), 5u);
  EXPECT_NE(
      registry_.render().find("ironlb_k8s_events_dropped_total{reason=\"global_rate_limit\"} 3"),
      std::string::npos)
      << registry_.render();
}

TEST_F(EventRecorderTest, FullQueueDropsWithoutBlocking) {
  auto rec = make();  // not started: nothing drains the queue of 4
  for (int i = 0; i < 6; ++i)
    rec->record(svc_, EventType::kNormal, "R", std::to_string(i));
  EXPECT_NE(registry_.render().find("ironlb_k8s_events_dropped_total{reason=\"queue_full\"} 2"),
            std::string::npos)
      << registry_.render();
  rec->start();
  ASSERT_TRUE(rec->flush(5s));
  EXPECT_EQ(transport_.requests().size(), 4u);
}

TEST_F(EventRecorderTest, ApiErrorsAreCountedNotFatal) {
  transport_.respond("POST", "/api/v1/namespaces/a/events", 403,
                     statusBody(403, "Forbidden", "events is forbidden"));
  auto rec = make();
  rec->start();
  rec->record(svc_, EventType::kNormal, "R", "m");
  rec->record(svc_, EventType::kNormal, "R2", "m");
  ASSERT_TRUE(rec->flush(5s));
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_NE(registry_.render().find("ironlb_k8s_events_dropped_total{reason=\"error\"} 1"),
            std::string::npos);
}

// Status writes go first: an Event waits while writes are pending, and goes out once they are
// done (or after maxYield, so Events are delayed but never starved).
TEST_F(EventRecorderTest, EventsWaitWhileStatusWritesArePending) {
  BusySignal writes;
  writes.set(5);
  EventRecorder rec(api_, {.component = "ironlb-controller",
                           .clock = &clock_,
                           .metrics = &metrics_,
                           .yieldTo = &writes,
                           .maxYield = 1h});
  rec.start();
  rec.record(svc_, EventType::kNormal, "IPAllocated", "Assigned IP");
  EXPECT_FALSE(rec.flush(200ms)) << "still waiting for the writes";
  EXPECT_TRUE(transport_.requests().empty());
  writes.set(0);
  ASSERT_TRUE(rec.flush(5s));
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(EventRecorderTest, WaitingForWritesIsBounded) {
  BusySignal writes;
  writes.set(1);  // writes that never finish
  EventRecorder rec(
      api_,
      {.component = "ironlb-controller", .clock = &clock_, .yieldTo = &writes, .maxYield = 1ms});
  rec.start();
  for (int i = 0; i < 3; ++i)
    rec.record(svc_, EventType::kNormal, "R" + std::to_string(i), "m");
  ASSERT_TRUE(rec.flush(5s));
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(EventRecorderTest, StopCutsAWaitForWritesShort) {
  BusySignal writes;
  writes.set(1);
  EventRecorder rec(
      api_,
      {.component = "ironlb-controller", .clock = &clock_, .yieldTo = &writes, .maxYield = 1h});
  rec.start();
  rec.record(svc_, EventType::kNormal, "R", "m");
  EXPECT_FALSE(rec.flush(50ms));
  rec.stop();  // would take an hour without the wake-up
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(EventRecorderTest, ReferenceToBuildsFromAnObject) {
  const Json svc = {
      {"metadata", {{"name", "web"}, {"namespace", "a"}, {"uid", "u"}, {"resourceVersion", "3"}}}};
  const ObjectReference r = referenceTo(resources::kServices, svc);
  EXPECT_EQ(r.apiVersion, "v1");
  EXPECT_EQ(r.kind, "Service");
  EXPECT_EQ(r.ns, "a");
  EXPECT_EQ(r.name, "web");
  EXPECT_EQ(r.uid, "u");
  EXPECT_EQ(r.resourceVersion, "3");
}

}  // namespace
}  // namespace ironlb::k8s
