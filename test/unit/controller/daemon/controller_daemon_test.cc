// ControllerDaemon on a fake cluster and a manual clock, the io loop stepped by the test:
// leading with and without election, readiness, losing the Lease and stopping.
#include "controller/daemon/controller_daemon.h"

#include <gtest/gtest.h>

#include "common/k8s/testing/run_until.h"
#include "test/unit/controller/daemon/fake_cluster.h"

namespace ironlb::controller {
namespace {

using k8s::testing::runUntil;
using testing::FakeCluster;
using testing::poolJson;
using testing::serviceJson;
using IpList = std::vector<std::string>;

constexpr const char* kLeaseKey = "metallb-system/ironlb-controller";

class ControllerDaemonTest : public ::testing::Test, public testing::FakeClusterTest {
 protected:
  ControllerDaemonTest() {
    flags_.identity = "me";
    flags_.statusWriters = 2;
    flags_.leaseTiming = {.leaseDuration = std::chrono::seconds(3),
                          .renewDeadline = std::chrono::seconds(2),
                          .retryPeriod = std::chrono::milliseconds(50)};
    cluster.put("namespaces", testing::namespaceJson("a"));
    cluster.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
    for (const char* path : {testing::kServicesPath, testing::kNamespacesPath})
      cluster.watch(path);
    for (const char* path : testing::kConfigPaths)
      cluster.watch(path);
  }
  ~ControllerDaemonTest() override {
    if (daemon_) daemon_->stop();
    k8s::testing::drain(io);
  }

  void start() {
    daemon_ = std::make_unique<ControllerDaemon>(io, flags_, api, registry, k8sMetrics, readiness_,
                                                 clock);
    ASSERT_TRUE(daemon_->start().ok());
  }
  bool ready() const { return readiness_.get().ok; }
  std::string notReadyReason() const { return readiness_.get().reason; }
  IpList writtenTo(const std::string& key) const {
    IpList last;
    for (const auto& [k, ips] : cluster.statusWrites()) {
      if (k == key) last = ips;
    }
    return last;
  }

  util::ReadinessFlag readiness_{"starting"};
  ControllerFlags flags_;
  std::unique_ptr<ControllerDaemon> daemon_;
};

TEST_F(ControllerDaemonTest, WithoutElectionItLeadsAtOnceAndIsReadyOnceRestored) {
  flags_.leaderElect = false;
  cluster.put("services", serviceJson("a", "web"));
  start();
  EXPECT_TRUE(daemon_->leading());
  EXPECT_FALSE(ready());
  ASSERT_TRUE(runUntil(io, [&] { return !writtenTo("a/web").empty(); }));
  EXPECT_EQ(writtenTo("a/web"), IpList{"192.0.2.1"});
  EXPECT_TRUE(ready()) << notReadyReason();
  EXPECT_EQ(cluster.count("POST", "/leases"), 0u);
}

TEST_F(ControllerDaemonTest, ALeaderWithAnInvalidConfigurationIsNotReadyAndWritesNothing) {
  flags_.leaderElect = false;
  cluster.modify("ipaddresspools", "metallb-system/p",
                 [](nlohmann::json& p) { p["spec"]["addresses"] = {"not-a-range"}; });
  cluster.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io, [&] { return daemon_->synced(); }));
  ASSERT_TRUE(runUntil(io, [&] { return k8sMetrics.configStale().value() == 1; }));
  EXPECT_FALSE(ready());
  EXPECT_NE(notReadyReason().find("valid configuration"), std::string::npos) << notReadyReason();

  // The pool is fixed: the configuration handler rebuilds, the restore runs, the write follows.
  cluster.modify("ipaddresspools", "metallb-system/p",
                 [](nlohmann::json& p) { p["spec"]["addresses"] = {"192.0.2.1-192.0.2.3"}; });
  ASSERT_TRUE(runUntil(io, [&] { return !writtenTo("a/web").empty(); }));
  EXPECT_TRUE(ready()) << notReadyReason();
  EXPECT_EQ(writtenTo("a/web"), IpList{"192.0.2.1"});
}

TEST_F(ControllerDaemonTest, ItWritesOnlyOnceItHoldsTheLease) {
  cluster.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io, [&] { return daemon_->leading(); }));
  const auto lease = cluster.get("leases", kLeaseKey);
  ASSERT_TRUE(lease.has_value()) << "the Lease was created first";
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "me");
  ASSERT_TRUE(runUntil(io, [&] { return !writtenTo("a/web").empty(); }));
  EXPECT_TRUE(ready()) << notReadyReason();
  const auto requests = transport.requests();
  std::size_t leaseCreated = requests.size();
  std::size_t firstWrite = requests.size();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].method == "POST" && requests[i].path.ends_with("/leases")) leaseCreated = i;
    if (requests[i].method == "PUT" && requests[i].path.ends_with("/status") &&
        firstWrite == requests.size()) {
      firstWrite = i;
    }
  }
  EXPECT_LT(leaseCreated, firstWrite);
}

TEST_F(ControllerDaemonTest, AStandbyIsReadyButWritesNothing) {
  // Another replica holds a fresh Lease.
  cluster.put("leases",
              {{"apiVersion", "coordination.k8s.io/v1"},
               {"kind", "Lease"},
               {"metadata", {{"name", "ironlb-controller"}, {"namespace", "metallb-system"}}},
               {"spec",
                {{"holderIdentity", "other"},
                 {"leaseDurationSeconds", 3},
                 {"renewTime", "2026-12-07T00:00:00.000000Z"}}}});
  cluster.put("services", serviceJson("a", "web"));
  start();
  // Marker: the informers synced and the elector has read the Lease at least once.
  ASSERT_TRUE(runUntil(
      io, [&] { return ready() && cluster.count("GET", "/leases/ironlb-controller") >= 1; }));
  k8s::testing::drain(io);
  EXPECT_FALSE(daemon_->leading());
  EXPECT_TRUE(cluster.statusWrites().empty());
}

TEST_F(ControllerDaemonTest, LosingTheLeaseEndsTheSession) {
  cluster.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io, [&] { return !writtenTo("a/web").empty(); }));
  // Another replica took the Lease over (as after a partition): at its next renewal this one
  // sees the other holder and steps down.
  cluster.modify("leases", kLeaseKey,
                 [](nlohmann::json& l) { l["spec"]["holderIdentity"] = "other"; });
  ASSERT_TRUE(runUntil(io, [&] { return !daemon_->leading(); }));
  EXPECT_EQ(daemon_->session(), nullptr);
  EXPECT_TRUE(ready()) << "a standby is ready";
}

TEST_F(ControllerDaemonTest, StopReleasesTheLeaseAndWritesNoMore) {
  cluster.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io, [&] { return !writtenTo("a/web").empty(); }));
  daemon_->stop();
  EXPECT_FALSE(daemon_->leading());
  EXPECT_FALSE(ready());
  const auto lease = cluster.get("leases", kLeaseKey);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ((*lease)["spec"].value("holderIdentity", ""), "") << "released for a standby";
}

}  // namespace
}  // namespace ironlb::controller
