// LeaderSession on a fake cluster and a manual clock, the io loop stepped by the test: the
// start-up restore, write fencing, 409 handling and the end of a term.
#include "controller/daemon/leader_session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "common/k8s/testing/run_until.h"
#include "test/unit/controller/daemon/fake_cluster.h"

namespace ironlb::controller {
namespace {

using k8s::testing::runUntil;
using testing::FakeCluster;
using testing::poolJson;
using testing::serviceJson;
using IpList = std::vector<std::string>;

class LeaderSessionTest : public ::testing::Test, public testing::FakeClusterTest {
 protected:
  LeaderSessionTest() {
    flags_.statusWriters = 2;
    flags_.identity = "me";
  }
  ~LeaderSessionTest() override {
    session_.reset();
    services_.stop();
    config_.stop();
  }

  // Starts the informers and waits for their first lists.
  void syncInformers() {
    cluster.watch(testing::kServicesPath);
    for (const char* path : testing::kConfigPaths)
      cluster.watch(path);
    services_.start();
    config_.start();
    ASSERT_TRUE(runUntil(io, [&] { return services_.synced() && config_.synced(); }));
  }

  void lead() {
    session_ = std::make_unique<LeaderSession>(SessionContext{
        .api = api,
        .io = io,
        .clock = clock,
        .flags = flags_,
        .services = services_,
        .config = config_,
        .namespaces = namespaces_,
        .events = events_,
        .k8sMetrics = k8sMetrics,
        .allocatorMetrics = allocatorMetrics_,
        .pendingGauge = registry.gauge("t_pending", "t").get(),
        .writeLimitGauge = registry.gauge("t_limit", "t").get(),
        .onRunning = [this] { ++runningCalls_; },
        .writeDeadline =
            fencing_ ? std::function<std::optional<util::MonoTime>()>([this] { return deadline(); })
                     : nullptr,
        .poolStatusInterval = std::chrono::milliseconds(5),
        .configState = configStateFactory_,
    });
    session_->start();
  }

  std::optional<util::MonoTime> deadline() {
    std::lock_guard lock(deadlineMu_);
    return deadline_;
  }
  void setDeadline(std::optional<util::MonoTime> at) {
    std::lock_guard lock(deadlineMu_);
    deadline_ = at;
  }

  // Pool p becomes valid (192.0.2.1-192.0.2.3); the session is told once the informer has it.
  bool fixPool() {
    cluster.modify("ipaddresspools", "metallb-system/p",
                   [](nlohmann::json& p) { p["spec"]["addresses"] = {"192.0.2.1-192.0.2.3"}; });
    const bool seen = runUntil(io, [&] {
      return config_.pools().get("metallb-system/p")->at("spec") ==
             nlohmann::json{{"addresses", {"192.0.2.1-192.0.2.3"}}};
    });
    if (seen) session_->configChanged();
    return seen;
  }

  // Informer echoes of every write applied and the session has nothing left to do.
  bool settle() {
    return runUntil(io, [&] { return session_->running() && session_->idle(); });
  }

  AllocatorMetrics allocatorMetrics_{registry};
  ControllerFlags flags_;
  k8s::EventRecorder events_{api, {.component = "test", .clock = &clock}};  // never started
  NamespaceLabels namespaces_;
  // Wired to the session as ControllerDaemon wires it.
  k8s::Informer services_{api,
                          io,
                          {.type = k8s::resources::kServices, .ns = "", .clock = &clock},
                          serviceEventHandlers(session_)};
  ConfigInformers config_{api,
                          io,
                          [this](const k8s::ResourceType& type) {
                            return k8s::InformerOptions{
                                .type = type, .ns = "metallb-system", .clock = &clock};
                          },
                          {}};
  bool fencing_ = false;
  std::mutex deadlineMu_;
  std::optional<util::MonoTime> deadline_;
  int runningCalls_ = 0;
  std::function<std::unique_ptr<k8s::ConfigurationStateReporter>()> configStateFactory_;
  std::unique_ptr<LeaderSession> session_;
};

// Forwards to a list the test keeps (each term gets its own reporter from the factory).
class ReportInto final : public k8s::ConfigurationStateReporter {
 public:
  explicit ReportInto(std::vector<api::ConfigurationVerdict>& out) : out_(out) {}
  void report(const api::ConfigurationVerdict& verdict) override { out_.push_back(verdict); }

 private:
  std::vector<api::ConfigurationVerdict>& out_;
};

TEST_F(LeaderSessionTest, NewLeaderRestoresFromAFreshListBeforeItWritesAnything) {
  cluster.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
  // The previous leader gave a/old 192.0.2.1, but this replica's informer has not seen that
  // write yet: only the fresh list at the start of the term shows it.
  cluster.put("services", serviceJson("a", "old"));
  cluster.put("services", serviceJson("a", "new"));
  syncInformers();
  cluster.modify(
      "services", "a/old",
      [](nlohmann::json& s) {
        s["status"]["loadBalancer"]["ingress"] = {{{"ip", "192.0.2.1"}}};
        s["metadata"]["annotations"] = {{"metallb.io/ip-allocated-from-pool", "p"}};
      },
      /*announce=*/false);
  const std::size_t getsBefore = cluster.count("GET", "/api/v1/services");

  lead();
  ASSERT_TRUE(runUntil(io, [&] { return session_->running(); }));
  // The informer catches up (a write from its stale copy of a/old meets a 409 meanwhile).
  cluster.announce("services", "a/old");
  ASSERT_TRUE(settle());
  EXPECT_EQ(runningCalls_, 1);
  EXPECT_EQ(cluster.count("GET", "/api/v1/services"), getsBefore + 1) << "one restore list";
  // Every write came after the restore list (a/new, first in key order, would otherwise have
  // taken 192.0.2.1), and a/old kept its address.
  std::size_t restoreList = 0;
  std::size_t firstPut = 0;
  const auto requests = transport.requests();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].method == "GET" && requests[i].path.starts_with("/api/v1/services")) {
      restoreList = i;
    }
    if (requests[i].method == "PUT" && !firstPut) firstPut = i;
  }
  ASSERT_GT(firstPut, 0u);
  EXPECT_LT(restoreList, firstPut);
  EXPECT_EQ(cluster.ingress("a/old"), IpList{"192.0.2.1"});
  EXPECT_EQ(cluster.ingress("a/new"), IpList{"192.0.2.2"});
  for (const auto& [key, ips] : cluster.statusWrites())
    EXPECT_NE(key, "a/old") << "a/old already showed its address";
}

// The restore list shows a Service that is deleted just after: the informer hears of the
// deletion before the list's answer is handled. The session must not keep the address it
// restored for a Service that no longer exists.
TEST_F(LeaderSessionTest, AServiceDeletedWhileTheRestoreListIsInFlightLeavesNoAddressBehind) {
  cluster.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
  cluster.put("services", serviceJson("a", "gone", {"192.0.2.1"}, "p"));
  syncInformers();
  std::atomic<bool> once{false};
  cluster.setIntercept([&](const k8s::HttpRequest& r) -> std::optional<k8s::HttpResponse> {
    if (r.method != "GET" || !r.path.starts_with("/api/v1/services") ||
        r.path.find("watch=") != std::string::npos || once.exchange(true)) {
      return std::nullopt;
    }
    // The list as it stands, then the deletion, announced before the answer goes back.
    nlohmann::json list = {{"kind", "List"},
                           {"apiVersion", "v1"},
                           {"metadata", {{"resourceVersion", "1"}}},
                           {"items", {*cluster.get("services", "a/gone")}}};
    cluster.remove("services", "a/gone");
    return k8s::HttpResponse{200, {}, list.dump()};
  });
  lead();
  ASSERT_TRUE(runUntil(io, [&] { return once.load() && services_.get("a/gone") == nullptr; }));
  ASSERT_TRUE(settle());
  const std::string free = "metallb_allocator_addresses_in_use_total{pool=\"p\"} 0\n";
  EXPECT_TRUE(runUntil(io, [&] { return registry.render().find(free) != std::string::npos; }))
      << "the address of a deleted Service stayed assigned:\n"
      << registry.render();
}

TEST_F(LeaderSessionTest, NothingIsWrittenWhileTheConfigurationIsInvalid) {
  cluster.put("ipaddresspools", poolJson("p", "not-a-range"));
  cluster.put("services", serviceJson("a", "new"));
  syncInformers();
  lead();
  // Positive marker: the invalid configuration was built and reported.
  ASSERT_TRUE(runUntil(io, [&] { return k8sMetrics.configStale().value() == 1; }));
  k8s::testing::drain(io);
  EXPECT_FALSE(session_->running());
  EXPECT_EQ(cluster.count("GET", "/api/v1/services"), 1u) << "no restore list yet";
  EXPECT_TRUE(cluster.statusWrites().empty());

  ASSERT_TRUE(fixPool());
  ASSERT_TRUE(settle());
  EXPECT_EQ(cluster.ingress("a/new"), IpList{"192.0.2.1"});
}

TEST_F(LeaderSessionTest, EachTermReportsTheVerdictOfEveryBuild) {
  std::vector<api::ConfigurationVerdict> reports;
  int terms = 0;
  configStateFactory_ = [&]() -> std::unique_ptr<k8s::ConfigurationStateReporter> {
    ++terms;
    return std::make_unique<ReportInto>(reports);
  };
  cluster.put("ipaddresspools", poolJson("p", "not-a-range"));
  syncInformers();
  lead();
  ASSERT_TRUE(runUntil(io, [&] { return !reports.empty(); }));
  EXPECT_EQ(terms, 1);
  EXPECT_EQ(reports.back().result, "Invalid");
  EXPECT_EQ(
      reports.back().lastError.rfind("IPAddressPool metallb-system/p: spec.addresses[0]: ", 0), 0u)
      << reports.back().lastError;
  EXPECT_EQ(reports.back().errorSummary, "1 error in 1 object");

  ASSERT_TRUE(fixPool());
  ASSERT_TRUE(runUntil(io, [&] { return reports.back().result == "Valid"; }));
  EXPECT_EQ(reports.back().lastError, "");

  // A new term: a new reporter, told the verdict again.
  session_.reset();
  const std::size_t before = reports.size();
  lead();
  ASSERT_TRUE(runUntil(io, [&] { return reports.size() > before; }));
  EXPECT_EQ(terms, 2);
  EXPECT_EQ(reports.back().result, "Valid");
}

TEST_F(LeaderSessionTest, FencingDropsWritesOnceTheDeadlineHasPassed) {
  fencing_ = true;
  cluster.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
  cluster.put("services", serviceJson("a", "new"));
  syncInformers();
  setDeadline(clock.now() + std::chrono::seconds(10));
  clock.advance(std::chrono::seconds(11));  // the lease may have passed to another replica
  lead();
  // Positive marker: the write was decided and dropped (its key counted as a failed update).
  ASSERT_TRUE(runUntil(io, [&] { return k8sMetrics.updateErrors().value() >= 1; }));
  EXPECT_TRUE(cluster.statusWrites().empty());
  EXPECT_EQ(cluster.count("PUT", "/status"), 0u);

  // Renewed: the key comes back (no sooner than 1 s) and is written.
  setDeadline(clock.now() + std::chrono::seconds(10));
  ASSERT_TRUE(runUntil(io, [&] { return !cluster.statusWrites().empty(); }));
  EXPECT_EQ(cluster.ingress("a/new"), IpList{"192.0.2.1"});
}

TEST_F(LeaderSessionTest, NoDeadlineAtAllMeansNoWrite) {
  fencing_ = true;  // leading without a successful renewal yet: writeDeadline() is empty
  cluster.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
  cluster.put("services", serviceJson("a", "new"));
  syncInformers();
  lead();
  ASSERT_TRUE(runUntil(io, [&] { return k8sMetrics.updateErrors().value() >= 1; }));
  EXPECT_EQ(cluster.count("PUT", "/status"), 0u);
}

TEST_F(LeaderSessionTest, AConflictDecidesAgainFromTheNewerCopy) {
  cluster.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
  cluster.put("services", serviceJson("a", "new"));
  syncInformers();
  // While the first write is on its way, someone asks for a specific address: the write's
  // resourceVersion is stale and the server answers 409.
  std::atomic<int> puts{0};
  cluster.setIntercept([&](const k8s::HttpRequest& r) -> std::optional<k8s::HttpResponse> {
    if (r.method == "PUT" && puts++ == 0) {
      cluster.modify("services", "a/new", [](nlohmann::json& s) {
        s["metadata"]["annotations"] = {{"metallb.io/loadBalancerIPs", "192.0.2.3"}};
      });
    }
    return std::nullopt;
  });
  lead();
  ASSERT_TRUE(runUntil(io, [&] { return !cluster.statusWrites().empty(); }));
  ASSERT_TRUE(settle());
  EXPECT_GE(puts.load(), 2);
  // Decided again from the edited Service, not the first decision re-applied.
  EXPECT_EQ(cluster.statusWrites().back().second, IpList{"192.0.2.3"});
  EXPECT_EQ(cluster.ingress("a/new"), IpList{"192.0.2.3"});
}

TEST_F(LeaderSessionTest, TheEndOfATermStopsEveryWrite) {
  flags_.statusWriters = 1;
  cluster.put("ipaddresspools", poolJson("p", "192.0.2.0/29"));
  for (const char* name : {"s1", "s2", "s3"})
    cluster.put("services", serviceJson("a", name));
  syncInformers();
  // The first write hangs until it is cancelled; the others wait for the one writer.
  std::atomic<bool> inFlight{false};
  std::atomic<bool> cancelled{false};
  cluster.setIntercept([&](const k8s::HttpRequest& r) -> std::optional<k8s::HttpResponse> {
    if (r.method != "PUT") return std::nullopt;
    inFlight = true;
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!r.cancel->cancelled() && std::chrono::steady_clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    cancelled = r.cancel->cancelled();
    return k8s::HttpResponse{500, {}, "{}"};
  });
  lead();
  ASSERT_TRUE(runUntil(io, [&] { return inFlight.load(); }));
  session_.reset();  // lost the Lease
  EXPECT_TRUE(cancelled) << "the write in flight was cancelled";
  k8s::testing::drain(io);
  EXPECT_EQ(cluster.count("PUT", "/status"), 1u) << "the waiting writes were dropped";
  EXPECT_TRUE(cluster.statusWrites().empty());
}

}  // namespace
}  // namespace ironlb::controller
