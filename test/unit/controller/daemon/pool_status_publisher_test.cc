// PoolStatusPublisher on a fake cluster, the io loop stepped by the test: one status write per
// change of the counters, none while the pool already shows them, the protection finalizer.
#include "controller/daemon/pool_status_publisher.h"

#include <gtest/gtest.h>

#include "common/k8s/testing/run_until.h"
#include "test/unit/controller/daemon/fake_cluster.h"

namespace ironlb::controller {
namespace {

using k8s::testing::runUntil;
using testing::FakeCluster;
using testing::poolJson;

allocator::PoolCounters v4(uint64_t total, uint64_t assigned) {
  allocator::PoolCounters c;
  c.v4.total = net::AddressCount(total);
  c.v4.assigned = net::AddressCount(assigned);
  return c;
}

class PoolStatusPublisherTest : public ::testing::Test, public testing::FakeClusterTest {
 protected:
  PoolStatusPublisherTest() {
    for (const char* name : {"p", "q"})
      cluster.put("ipaddresspools", poolJson(name, "192.0.2.0/30"));
    cluster.watch(testing::kPoolsPath);
    pools_.start();
    EXPECT_TRUE(runUntil(io, [&] { return pools_.synced(); }));
  }
  ~PoolStatusPublisherTest() override {
    publisher_->stop();
    pools_.stop();
  }

  std::size_t statusPatches(const std::string& pool) {
    return cluster.count("PATCH", "/ipaddresspools/" + pool + "/status");
  }
  // The informer shows what the fake cluster stores for the pool (the echo has arrived).
  bool informerCaughtUp(const std::string& pool) {
    const auto stored = cluster.get("ipaddresspools", "metallb-system/" + pool);
    const k8s::Json* seen = pools_.get("metallb-system/" + pool);
    return stored && seen && *seen == *stored;
  }
  nlohmann::json stored(const std::string& pool) {
    return *cluster.get("ipaddresspools", "metallb-system/" + pool);
  }

  AllocatorMetrics metrics_{registry};
  k8s::EventRecorder events_{api, {.component = "test"}};  // never started
  k8s::Informer pools_{
      api, io, {.type = k8s::resources::kIPAddressPools, .ns = "metallb-system"}, {}};
  std::map<std::string, allocator::PoolCounters> counters_;  // logic thread
  std::map<std::string, bool> inUse_;
  std::unique_ptr<PoolStatusPublisher> make(
      PoolStatusPublisher::ServicesPerPool servicesPerPool = nullptr) {
    return std::make_unique<PoolStatusPublisher>(
        api, io, pools_, "metallb-system",
        [this](const std::string& pool) -> std::optional<allocator::PoolCounters> {
          auto it = counters_.find(pool);
          if (it == counters_.end()) return std::nullopt;
          return it->second;
        },
        [this](const std::string& pool) { return inUse_[pool]; },
        [](const std::string&) { return std::vector<std::string>{"a/holder"}; }, events_, metrics_,
        std::chrono::milliseconds(5), std::move(servicesPerPool));
  }
  bool hasSample(const std::string& sample) {
    return registry.render().find("\n" + sample + "\n") != std::string::npos;
  }
  std::unique_ptr<PoolStatusPublisher> publisher_ = make();
};

TEST_F(PoolStatusPublisherTest, WritesEachPoolStatusOncePerChange) {
  counters_["p"] = v4(4, 1);
  counters_["q"] = v4(4, 0);
  publisher_->markDirty("p");
  publisher_->markDirty("p");
  publisher_->markDirty("p");
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("p") == 1 && informerCaughtUp("p"); }));
  EXPECT_EQ(stored("p")["status"]["assignedIPv4"], 1);
  EXPECT_EQ(stored("p")["status"]["availableIPv4"], 3);

  // Unchanged: p is looked at again in the same beat as q, whose write is the marker.
  publisher_->markDirty("p");
  publisher_->markDirty("q");
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("q") == 1; }));
  EXPECT_EQ(statusPatches("p"), 1u) << "the pool already showed its counters";

  counters_["p"] = v4(4, 2);
  publisher_->markDirty("p");
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("p") == 2 && informerCaughtUp("p"); }));
  EXPECT_EQ(stored("p")["status"]["assignedIPv4"], 2);
}

// metallb_allocator_services_allocated_total: one O(Services) count per beat that has dirty
// pools, however many Service events marked them, and every pool's gauge from that one pass.
TEST_F(PoolStatusPublisherTest, ServicesAllocatedCountedOncePerBeat) {
  publisher_->stop();
  std::vector<std::pair<std::string, std::size_t>> perPool = {{"p", 2}, {"q", 0}};
  int passes = 0;
  auto publisher = make([&] {
    ++passes;
    return perPool;
  });
  counters_["p"] = v4(4, 2);
  counters_["q"] = v4(4, 0);
  for (int i = 0; i < 50; ++i)
    publisher->markDirty("p");  // 50 Service events, one beat
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("p") == 1; }));
  EXPECT_EQ(passes, 1);
  EXPECT_TRUE(hasSample("metallb_allocator_services_allocated_total{pool=\"p\"} 2"))
      << registry.render();
  EXPECT_TRUE(hasSample("metallb_allocator_services_allocated_total{pool=\"q\"} 0"));

  // A Service moved from p to q: both pools are dirty, still one pass.
  perPool = {{"p", 1}, {"q", 1}};
  counters_["q"] = v4(4, 1);
  publisher->markDirty("p");
  publisher->markDirty("q");
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("q") == 1; }));
  EXPECT_EQ(passes, 2);
  EXPECT_TRUE(hasSample("metallb_allocator_services_allocated_total{pool=\"p\"} 1"));
  EXPECT_TRUE(hasSample("metallb_allocator_services_allocated_total{pool=\"q\"} 1"));

  publisher->forget("q");  // the pool left the configuration
  EXPECT_EQ(registry.render().find("services_allocated_total{pool=\"q\"}"), std::string::npos);
  publisher->stop();
}

TEST_F(PoolStatusPublisherTest, StopDropsTheChangesNotYetWritten) {
  counters_["p"] = v4(4, 1);
  counters_["q"] = v4(4, 1);
  publisher_->markDirty("p");  // due at the next beat
  publisher_->stop();
  // Marker: a publisher started later, on the same beat, writes q; p's beat would have come
  // first.
  auto later = make();
  later->markDirty("q");
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("q") == 1; }));
  EXPECT_EQ(statusPatches("p"), 0u);
}

TEST_F(PoolStatusPublisherTest, APoolInUseKeepsTheProtectionFinalizerUntilItIsFree) {
  counters_["p"] = v4(4, 1);
  inUse_["p"] = true;
  publisher_->markDirty("p");
  ASSERT_TRUE(runUntil(
      io, [&] { return stored("p")["metadata"].contains("finalizers") && informerCaughtUp("p"); }));
  EXPECT_EQ(stored("p")["metadata"]["finalizers"],
            nlohmann::json::array({std::string(kPoolProtectionFinalizer)}));
  const std::size_t patches = cluster.count("PATCH", "/ipaddresspools/p");

  inUse_["p"] = false;
  counters_["p"] = v4(4, 0);
  publisher_->markDirty("p");
  ASSERT_TRUE(runUntil(
      io, [&] { return stored("p")["metadata"]["finalizers"].empty() && informerCaughtUp("p"); }));
  EXPECT_EQ(cluster.count("PATCH", "/ipaddresspools/p"), patches + 1);
}

TEST_F(PoolStatusPublisherTest, ADeletingPoolInUseNamesItsHolders) {
  counters_["p"] = v4(4, 1);
  inUse_["p"] = true;
  cluster.modify("ipaddresspools", "metallb-system/p", [](nlohmann::json& p) {
    p["metadata"]["finalizers"] = {std::string(kPoolProtectionFinalizer)};
    p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  });
  ASSERT_TRUE(runUntil(io, [&] { return informerCaughtUp("p"); }));
  publisher_->markDirty("p");
  ASSERT_TRUE(runUntil(io, [&] { return statusPatches("p") == 1 && informerCaughtUp("p"); }));
  EXPECT_EQ(stored("p")["status"]["deletionBlockedBy"], nlohmann::json::array({"a/holder"}));
  EXPECT_EQ(stored("p")["metadata"]["finalizers"],
            nlohmann::json::array({std::string(kPoolProtectionFinalizer)}))
      << "the finalizer stays while the pool is in use";
}

}  // namespace
}  // namespace ironlb::controller
