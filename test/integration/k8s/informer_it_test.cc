// Informers against the real kube-apiserver: events, re-watching after server-side timeouts,
// an API server restart, and a forced 410 Gone with a relist that emits the difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/k8s/informer.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/testing/run_until.h"
#include "it_env.h"

namespace ironlb::k8s::it {
namespace {

using namespace std::chrono_literals;
using testing::runUntil;

// An informer on this run's ConfigMaps with one label, over its own connection (which the
// test can partition), recording what it reports.
class Watched {
 public:
  explicit Watched(const std::string& run, int watchTimeoutSeconds = 60)
      : conn_(connect(env().kubeconfig)),
        partitionable_(*conn_->transport),
        metrics_(registry_),
        api_(partitionable_, &metrics_) {
    InformerOptions o;
    o.type = resources::kConfigMaps;
    o.ns = env().ns;
    o.labelSelector = "run=" + run;
    o.pageSize = 7;  // the initial list takes several pages
    o.watchTimeoutSeconds = watchTimeoutSeconds;
    o.backoff = {.initial = 200ms, .max = 1s, .multiplier = 2.0, .jitter = 0.2};
    o.metrics = &metrics_;
    informer_ = std::make_unique<Informer>(
        api_, io_, o,
        InformerHandlers{
            .onAdd = [this](const Json& j) { log_.push_back("add " + nameOf(j)); },
            .onUpdate =
                [this](const Json&, const Json& j) {
                  log_.push_back("update " + nameOf(j) + "=" + j["data"]["v"].get<std::string>());
                },
            .onDelete = [this](const Json& j) { log_.push_back("delete " + nameOf(j)); },
            .onSynced = [this] { log_.push_back("synced"); }});
    informer_->start();
  }
  ~Watched() { informer_->stop(); }

  bool waitFor(const std::string& entry, std::chrono::milliseconds timeout = 30s) {
    return runUntil(
        io_, [&] { return has(entry); }, timeout);
  }
  bool has(const std::string& entry) const {
    return std::find(log_.begin(), log_.end(), entry) != log_.end();
  }
  // name -> data.v in the local store (read on this, the logic, thread).
  std::map<std::string, std::string> store() const {
    std::map<std::string, std::string> out;
    for (const auto& [key, obj] : informer_->store().items())
      out[nameOf(obj)] = obj["data"]["v"];
    return out;
  }
  double metric(const std::string& series) const {
    const std::string text = registry_.render();
    const size_t at = text.find(series + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 1));
  }
  std::string dump() const {
    std::string out;
    for (const auto& l : log_)
      out += l + "; ";
    return out;
  }
  void partition(bool on) { partitionable_.partition(on); }
  boost::asio::io_context& io() { return io_; }

 private:
  std::unique_ptr<Client> conn_;
  PartitionableTransport partitionable_;
  util::MetricsRegistry registry_;
  K8sMetrics metrics_;
  ApiClient api_;
  boost::asio::io_context io_;
  std::vector<std::string> log_;
  std::unique_ptr<Informer> informer_;
};

void create(const std::string& run, const std::string& name, const std::string& v) {
  auto r = admin().create(
      resources::kConfigMaps, env().ns,
      Json{{"metadata", {{"name", name}, {"labels", {{"run", run}}}}}, {"data", {{"v", v}}}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
}
void change(const std::string& name, const std::string& v) {
  auto r = admin().patch(resources::kConfigMaps, env().ns, name, PatchType::kMerge,
                         Json{{"data", {{"v", v}}}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
}
void remove(const std::string& name) {
  ASSERT_TRUE(admin().remove(resources::kConfigMaps, env().ns, name).ok());
}

// The server's view, in the shape of Watched::store().
std::map<std::string, std::string> serverView(const std::string& run) {
  std::map<std::string, std::string> out;
  auto list = admin().listAll(resources::kConfigMaps, env().ns, {.labelSelector = "run=" + run});
  EXPECT_TRUE(list.ok());
  if (list.ok()) {
    for (const auto& obj : list->items)
      out[nameOf(obj)] = obj["data"]["v"];
  }
  return out;
}

const char* kRelistGone =
    "ironlb_k8s_informer_relists_total{resource=\"configmaps\",reason=\"gone\"}";
const char* kRelistInitial =
    "ironlb_k8s_informer_relists_total{resource=\"configmaps\",reason=\"initial\"}";
const char* kWatchesOk = "ironlb_k8s_api_requests_total{verb=\"watch\",code=\"200\"}";

TEST(InformerIT, ListsWatchesAndKeepsTheStoreInStep) {
  const std::string run = uniqueName("inf");
  for (int i = 0; i < 10; ++i)
    create(run, run + "-" + std::to_string(i), "v1");
  Watched w(run);
  ASSERT_TRUE(w.waitFor("synced")) << w.dump();
  EXPECT_EQ(w.store().size(), 10u);
  create(run, run + "-new", "v1");
  change(run + "-3", "v2");
  remove(run + "-5");
  ASSERT_TRUE(w.waitFor("add " + run + "-new")) << w.dump();
  ASSERT_TRUE(w.waitFor("update " + run + "-3=v2")) << w.dump();
  ASSERT_TRUE(w.waitFor("delete " + run + "-5")) << w.dump();
  EXPECT_EQ(w.store(), serverView(run));
  EXPECT_EQ(w.metric(kRelistGone), 0);
}

TEST(InformerIT, ResumesAcrossServerSideWatchTimeouts) {
  const std::string run = uniqueName("timeout");
  Watched w(run, /*watchTimeoutSeconds=*/2);
  ASSERT_TRUE(w.waitFor("synced"));
  int n = 0;
  // Keep changing things until the server has ended the watch at least twice.
  while (w.metric(kWatchesOk) < 3 && n < 100) {
    const std::string name = run + "-" + std::to_string(n++);
    create(run, name, "v");
    ASSERT_TRUE(w.waitFor("add " + name)) << w.dump();
    runUntil(
        w.io(), [] { return false; }, 200ms);
  }
  EXPECT_GE(w.metric(kWatchesOk), 3);
  EXPECT_EQ(w.metric(kRelistGone), 0) << "a normal stream end resumes, it does not relist";
  EXPECT_EQ(w.metric(kRelistInitial), 1);
  EXPECT_EQ(w.store(), serverView(run));
}

// Restarts the shared API server: registered as its own serial ctest entry.
TEST(InformerRestartIT, SurvivesApiServerRestartAndRelistsOn410WithTheDifference) {
  const std::string run = uniqueName("restart");
  create(run, run + "-a0", "v1");
  create(run, run + "-a1", "v1");
  Watched w(run);
  ASSERT_TRUE(w.waitFor("synced"));
  ASSERT_TRUE(w.has("add " + run + "-a0") && w.has("add " + run + "-a1")) << w.dump();
  auto before = admin().list(resources::kConfigMaps, env().ns, {.labelSelector = "run=" + run});
  ASSERT_TRUE(before.ok());

  // Cut the informer off, change things behind its back, and restart the API server so its
  // watch cache no longer reaches back to the informer's resourceVersion.
  w.partition(true);
  create(run, run + "-a2", "v1");
  change(run + "-a1", "v2");
  remove(run + "-a0");
  restartApiServer();

  // The forced 410, seen directly: a watch from the pre-restart version is refused.
  bool gone = false;
  auto direct = admin().watch(
      resources::kConfigMaps, env().ns,
      {.resourceVersion = before->resourceVersion, .timeoutSeconds = 5}, [&](WatchEvent&& ev) {
        if (ev.type == WatchEventType::kError && ev.object.value("code", 0) == 410) {
          gone = true;
        }
        return !gone;
      });
  EXPECT_TRUE(gone || (!direct.ok() && direct.error().isGone()))
      << (direct.ok() ? "watch from an expired version was served" : direct.error().describe());

  w.partition(false);
  ASSERT_TRUE(w.waitFor("add " + run + "-a2", 60s)) << w.dump();
  ASSERT_TRUE(w.waitFor("update " + run + "-a1=v2")) << w.dump();
  ASSERT_TRUE(w.waitFor("delete " + run + "-a0")) << w.dump();
  EXPECT_GE(w.metric(kRelistGone), 1) << "the changes arrived through a 410 relist";
  EXPECT_EQ(w.store(), serverView(run));

  // And it keeps watching normally afterwards.
  create(run, run + "-a3", "v1");
  ASSERT_TRUE(w.waitFor("add " + run + "-a3")) << w.dump();
  EXPECT_EQ(w.store(), serverView(run));
}

// Restarts the shared API server under a live watch: the stream breaks, reconnects are refused
// while it is down, and the informer must carry on by itself.
TEST(InformerRestartIT, KeepsWatchingThroughAPlainApiServerRestart) {
  const std::string run = uniqueName("bounce");
  create(run, run + "-b0", "v1");
  Watched w(run);
  ASSERT_TRUE(w.waitFor("synced"));
  restartApiServer();
  create(run, run + "-b1", "v1");
  change(run + "-b0", "v2");
  ASSERT_TRUE(w.waitFor("add " + run + "-b1", 60s)) << w.dump();
  ASSERT_TRUE(w.waitFor("update " + run + "-b0=v2")) << w.dump();
  EXPECT_EQ(w.store(), serverView(run));
  EXPECT_GE(w.metric("ironlb_k8s_informer_watch_errors_total{resource=\"configmaps\"}"), 1)
      << "the restart did break the watch";
}

}  // namespace
}  // namespace ironlb::k8s::it
