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

class ControllerDaemonTest : public ::testing::Test {
 protected:
  ControllerDaemonTest() {
    flags_.identity = "me";
    flags_.status_writers = 2;
    flags_.lease_timing = {.leaseDuration = std::chrono::seconds(3),
                           .renewDeadline = std::chrono::seconds(2),
                           .retryPeriod = std::chrono::milliseconds(50)};
    cluster_.put("namespaces", testing::namespaceJson("a"));
    cluster_.put("ipaddresspools", poolJson("p", "192.0.2.1-192.0.2.3"));
    for (const char* path : {testing::kServicesPath, testing::kPoolsPath,
                             testing::kAdvertisementsPath, testing::kNamespacesPath})
      cluster_.watch(path);
  }
  ~ControllerDaemonTest() override {
    if (daemon_) daemon_->stop();
    k8s::testing::drain(io_);
  }

  void start() {
    daemon_ = std::make_unique<ControllerDaemon>(io_, flags_, api_, registry_, metrics_, readiness_,
                                                 clock_);
    ASSERT_TRUE(daemon_->start().ok());
  }
  bool ready() const { return readiness_.get().ok; }
  std::string notReadyReason() const { return readiness_.get().reason; }
  IpList writtenTo(const std::string& key) const {
    IpList last;
    for (const auto& [k, ips] : cluster_.statusWrites()) {
      if (k == key) last = ips;
    }
    return last;
  }

  k8s::testing::FakeTransport transport_;
  FakeCluster cluster_{transport_};
  k8s::ApiClient api_{transport_};
  boost::asio::io_context io_;
  util::ManualClock clock_;
  util::MetricsRegistry registry_;
  k8s::K8sMetrics metrics_{registry_};
  util::ReadinessFlag readiness_{"starting"};
  ControllerFlags flags_;
  std::unique_ptr<ControllerDaemon> daemon_;
};

TEST_F(ControllerDaemonTest, WithoutElectionItLeadsAtOnceAndIsReadyOnceRestored) {
  flags_.leader_elect = false;
  cluster_.put("services", serviceJson("a", "web"));
  start();
  EXPECT_TRUE(daemon_->leading());
  EXPECT_FALSE(ready());
  ASSERT_TRUE(runUntil(io_, [&] { return !writtenTo("a/web").empty(); }));
  EXPECT_EQ(writtenTo("a/web"), IpList{"192.0.2.1"});
  EXPECT_TRUE(ready()) << notReadyReason();
  EXPECT_EQ(cluster_.count("POST", "/leases"), 0u);
}

TEST_F(ControllerDaemonTest, ALeaderWithAnInvalidConfigurationIsNotReadyAndWritesNothing) {
  flags_.leader_elect = false;
  cluster_.modify("ipaddresspools", "metallb-system/p",
                  [](nlohmann::json& p) { p["spec"]["addresses"] = {"not-a-range"}; });
  cluster_.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io_, [&] { return daemon_->synced(); }));
  ASSERT_TRUE(runUntil(io_, [&] { return metrics_.configStale().value() == 1; }));
  EXPECT_FALSE(ready());
  EXPECT_NE(notReadyReason().find("valid configuration"), std::string::npos) << notReadyReason();

  // The pool is fixed: the configuration handler rebuilds, the restore runs, the write follows.
  cluster_.modify("ipaddresspools", "metallb-system/p",
                  [](nlohmann::json& p) { p["spec"]["addresses"] = {"192.0.2.1-192.0.2.3"}; });
  ASSERT_TRUE(runUntil(io_, [&] { return !writtenTo("a/web").empty(); }));
  EXPECT_TRUE(ready()) << notReadyReason();
  EXPECT_EQ(writtenTo("a/web"), IpList{"192.0.2.1"});
}

TEST_F(ControllerDaemonTest, ItWritesOnlyOnceItHoldsTheLease) {
  cluster_.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io_, [&] { return daemon_->leading(); }));
  const auto lease = cluster_.get("leases", kLeaseKey);
  ASSERT_TRUE(lease.has_value()) << "the Lease was created first";
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "me");
  ASSERT_TRUE(runUntil(io_, [&] { return !writtenTo("a/web").empty(); }));
  EXPECT_TRUE(ready()) << notReadyReason();
  const auto requests = transport_.requests();
  std::size_t lease_created = requests.size();
  std::size_t first_write = requests.size();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].method == "POST" && requests[i].path.ends_with("/leases")) lease_created = i;
    if (requests[i].method == "PUT" && requests[i].path.ends_with("/status") &&
        first_write == requests.size()) {
      first_write = i;
    }
  }
  EXPECT_LT(lease_created, first_write);
}

TEST_F(ControllerDaemonTest, AStandbyIsReadyButWritesNothing) {
  // Another replica holds a fresh Lease.
  cluster_.put("leases",
               {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "ironlb-controller"}, {"namespace", "metallb-system"}}},
                {"spec",
                 {{"holderIdentity", "other"},
                  {"leaseDurationSeconds", 3},
                  {"renewTime", "2026-12-07T00:00:00.000000Z"}}}});
  cluster_.put("services", serviceJson("a", "web"));
  start();
  // Marker: the informers synced and the elector has read the Lease at least once.
  ASSERT_TRUE(runUntil(
      io_, [&] { return ready() && cluster_.count("GET", "/leases/ironlb-controller") >= 1; }));
  k8s::testing::drain(io_);
  EXPECT_FALSE(daemon_->leading());
  EXPECT_TRUE(cluster_.statusWrites().empty());
}

TEST_F(ControllerDaemonTest, LosingTheLeaseEndsTheSession) {
  cluster_.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io_, [&] { return !writtenTo("a/web").empty(); }));
  // Another replica took the Lease over (as after a partition): at its next renewal this one
  // sees the other holder and steps down.
  cluster_.modify("leases", kLeaseKey,
                  [](nlohmann::json& l) { l["spec"]["holderIdentity"] = "other"; });
  ASSERT_TRUE(runUntil(io_, [&] { return !daemon_->leading(); }));
  EXPECT_EQ(daemon_->session(), nullptr);
  EXPECT_TRUE(ready()) << "a standby is ready";
}

TEST_F(ControllerDaemonTest, StopReleasesTheLeaseAndWritesNoMore) {
  cluster_.put("services", serviceJson("a", "web"));
  start();
  ASSERT_TRUE(runUntil(io_, [&] { return !writtenTo("a/web").empty(); }));
  daemon_->stop();
  EXPECT_FALSE(daemon_->leading());
  EXPECT_FALSE(ready());
  const auto lease = cluster_.get("leases", kLeaseKey);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ((*lease)["spec"].value("holderIdentity", ""), "") << "released for a standby";
}

}  // namespace
}  // namespace ironlb::controller
