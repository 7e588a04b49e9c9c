// The whole client stack wired the way a daemon wires it (see common/k8s/README.md), against
// the real kube-apiserver: leader election gates an informer-driven work queue whose handler
// writes Service status on a BackgroundWorker and records Events; the logic runs on one
// io_context thread with no locks.
#include <gtest/gtest.h>

#include "common/k8s/background_worker.h"
#include "common/k8s/event_recorder.h"
#include "common/k8s/informer.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/leader_elector.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/status_writer.h"
#include "common/k8s/testing/run_until.h"
#include "common/k8s/work_queue.h"
#include "it_env.h"

namespace ironlb::k8s::it {
namespace {

using namespace std::chrono_literals;
using testing::runUntil;

// A toy controller: every Service labelled app=<run> gets status.loadBalancer.ingress
// [{ip: 192.0.2.<n>}], where n comes from a label; then a Normal event.
class ToyController {
 public:
  ToyController(ApiClient& api, boost::asio::io_context& io, const std::string& run,
                util::MetricsRegistry& registry)
      : api_(api),
        metrics_(registry),
        worker_(io, "status-writer"),
        events_(api, {.component = "ironlb-toy", .host = "it", .metrics = &metrics_}),
        queue_(io, [this](const std::string& key, WorkQueue::Done done) { reconcile(key, done); },
               {.metrics = &metrics_}),
        services_(api, io,
                  {.type = resources::kServices,
                   .ns = env().ns,
                   .labelSelector = "app=" + run,
                   .metrics = &metrics_},
                  {.onAdd = [this](const Json& s) { queue_.add(objectKey(s)); },
                   .onUpdate = [this](const Json&, const Json& s) { queue_.add(objectKey(s)); },
                   .onDelete = [this](const Json& s) { queue_.add(objectKey(s)); },
                   .onSynced = [this] { synced_ = true; }}),
        elector_(api, io,
                 {.ns = env().ns,
                  .name = run + "-leader",
                  .identity = "toy-1",
                  .timing = {15s, 10s, 1s}},
                 {.onStartedLeading =
                      [this] {
                        events_.start();
                        services_.start();
                      },
                  .onStoppedLeading = [this] { services_.stop(); }}) {}

  Status start() { return elector_.start(); }
  void stop() {
    elector_.stop();
    services_.stop();
    queue_.shutDown();
    worker_.stop();
    events_.stop();
  }
  bool synced() const { return synced_; }
  int passes() const { return passes_; }  // successful reconciles
  int writes() const { return writes_; }  // of which changed the Service

 private:
  // Logic thread: decide from the informer's store, write on the worker, finish via done.
  void reconcile(const std::string& key, WorkQueue::Done done) {
    const Json* svc = services_.get(key);
    if (!svc) {
      done(WorkQueue::Outcome::kDone);  // deleted: nothing to release in this toy
      return;
    }
    const std::string ip = "192.0.2." + (*svc)["metadata"]["labels"].value("n", "1");
    const Json snapshot = *svc;
    worker_.submit<ApiResult<Json>>(
        [this, snapshot, ip] {
          return updateStatusWithRetry(api_, resources::kServices, snapshot, [ip](Json& s) {
            const Json want = Json::array({{{"ip", ip}}});
            if (s["status"]["loadBalancer"]["ingress"] == want) return false;
            s["status"]["loadBalancer"]["ingress"] = want;
            return true;
          });
        },
        [this, done, ip, before = resourceVersionOf(snapshot)](ApiResult<Json> r) {
          if (!r.ok()) {
            done(WorkQueue::Outcome::kRetry);
            return;
          }
          ++passes_;
          if (resourceVersionOf(*r) == before) {
            done(WorkQueue::Outcome::kDone);  // already as wanted
            return;
          }
          ++writes_;
          events_.record(referenceTo(resources::kServices, *r), EventType::kNormal, "IPAllocated",
                         "Assigned IP [\"" + ip + "\"]");
          done(WorkQueue::Outcome::kDone);
        });
  }

  ApiClient& api_;
  K8sMetrics metrics_;
  BackgroundWorker worker_;
  EventRecorder events_;
  WorkQueue queue_;
  Informer services_;
  LeaderElector elector_;
  bool synced_ = false;
  int passes_ = 0;
  int writes_ = 0;
};

Json service(const std::string& name, const std::string& run, int n) {
  return Json{
      {"metadata", {{"name", name}, {"labels", {{"app", run}, {"n", std::to_string(n)}}}}},
      {"spec",
       {{"type", "LoadBalancer"}, {"ports", Json::array({{{"port", 80}, {"protocol", "TCP"}}})}}}};
}

std::string ingressOf(const std::string& name) {
  auto s = admin().get(resources::kServices, env().ns, name);
  if (!s.ok()) return "<" + s.error().describe() + ">";
  const Json& ingress = (*s)["status"]["loadBalancer"]["ingress"];
  return ingress.is_array() && !ingress.empty() ? ingress[0].value("ip", "") : "";
}

TEST(PipelineIT, LeaderOnlyControllerWritesStatusAndEvents) {
  const std::string run = uniqueName("toy");
  ASSERT_TRUE(admin().create(resources::kServices, env().ns, service(run + "-a", run, 10)).ok());
  auto conn = connect(env().kubeconfig);
  util::MetricsRegistry registry;
  boost::asio::io_context io;
  ToyController toy(*conn->api, io, run, registry);
  ASSERT_TRUE(toy.start().ok());
  ASSERT_TRUE(runUntil(
      io, [&] { return toy.synced() && toy.writes() >= 1; }, 60s));
  ASSERT_TRUE(admin().create(resources::kServices, env().ns, service(run + "-b", run, 11)).ok());
  ASSERT_TRUE(runUntil(
      io, [&] { return toy.writes() >= 2; }, 60s));
  EXPECT_EQ(ingressOf(run + "-a"), "192.0.2.10");
  EXPECT_EQ(ingressOf(run + "-b"), "192.0.2.11");
  // Our own status write comes back as an informer update; the reconcile then finds nothing
  // to change, so the loop settles instead of writing forever.
  ASSERT_TRUE(runUntil(
      io, [&] { return toy.passes() >= 4; }, 30s));
  runUntil(
      io, [] { return false; }, 2s);
  EXPECT_EQ(toy.writes(), 2) << "each Service written once";
  EXPECT_EQ(toy.passes(), 4) << "and one no-op pass each for our own status update";
  const std::string text = registry.render();
  EXPECT_NE(text.find("metallb_k8s_client_updates_total 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("metallb_k8s_client_update_errors_total 0\n"), std::string::npos) << text;
  toy.stop();
  auto events = admin().list(resources::kEvents, env().ns,
                             {.fieldSelector = "involvedObject.name=" + run + "-a"});
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events->items.empty());
  EXPECT_EQ(events->items[0]["reason"], "IPAllocated");
}

}  // namespace
}  // namespace ironlb::k8s::it
