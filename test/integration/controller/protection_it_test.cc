// Pool protection and hold-back of released IPs (docs/allocation.md) against the real API
// server: a pool in use survives its deletion until its Services release their addresses, and
// an IP given up because of an edit stays out of other Services' reach for --release-hold, so
// undoing the edit restores it.
#include <gtest/gtest.h>

#include <chrono>

#include "common/k8s/object_meta.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

const std::string kFinalizer = "ironlb.io/pool-protection";

bool hasFinalizer(const Json& object) {
  const auto meta = object.find("metadata");
  if (meta == object.end()) return false;
  const auto list = meta->find("finalizers");
  if (list == meta->end() || !list->is_array()) return false;
  for (const auto& f : *list)
    if (f == kFinalizer) return true;
  return false;
}

std::optional<Json> pool(Scenario& s, const std::string& name) {
  return cluster().get(k8s::resources::kIPAddressPools, s.ns(), name);
}

bool waitEventSaying(Scenario& s, const std::string& name, const std::string& kind,
                     const std::string& typeReason, const std::string& text) {
  const bool said = eventually(
      [&] {
        for (const auto& e : s.events(name, kind))
          if (e.rfind(typeReason, 0) == 0 && e.find(text) != std::string::npos) return true;
        return false;
      },
      30s);
  EXPECT_TRUE(said) << name << " lacks " << typeReason << " [" << text
                    << "]: " << testing::PrintToString(s.events(name, kind));
  return said;
}

TEST(ControllerProtectionIT, PoolDeleteProtectedWhileInUse) {
  Scenario s("pooldel");
  s.createPool("p", {"192.0.2.0/28"});
  s.createPool("unused", {"198.51.100.0/28"}, {{"autoAssign", false}});
  s.createAdvertisement();
  Controller& c = s.startController();
  s.createService("a");
  ASSERT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  ASSERT_TRUE(eventually([&] {
    auto p = pool(s, "p");
    return p && hasFinalizer(*p);
  })) << "a pool in use carries the finalizer";
  auto unused = pool(s, "unused");
  ASSERT_TRUE(unused);
  EXPECT_FALSE(hasFinalizer(*unused)) << "a pool nobody uses carries none";

  ASSERT_TRUE(cluster().remove(k8s::resources::kIPAddressPools, s.ns(), "p"));
  waitEventSaying(s, "p", "IPAddressPool", "Warning/PoolInUse",
                  "IPAddressPool is being deleted but 1 Service(s) hold addresses from it: " +
                      s.ns() + "/a; it gives out no new addresses");
  auto deleting = pool(s, "p");
  ASSERT_TRUE(deleting) << "kept by the finalizer";
  EXPECT_TRUE(deleting->at("metadata").contains("deletionTimestamp"));
  EXPECT_EQ(s.ips("a"), std::vector<std::string>{"192.0.2.0"}) << "the holder keeps its IP";
  EXPECT_TRUE(eventually([&] {
    auto p = pool(s, "p");
    return p && p->contains("status") &&
           p->at("status").value("deletionBlockedBy", Json()) == Json::array({s.ns() + "/a"});
  })) << "the pool's status names the Service keeping it";

  // Nothing new from the deleting pool.
  s.createService("b");
  EXPECT_TRUE(s.waitEvent("b", "Warning/AllocationFailed"));
  EXPECT_TRUE(s.ips("b").empty());
  EXPECT_EQ(s.ips("a"), std::vector<std::string>{"192.0.2.0"});

  // The last holder goes: so does the pool.
  ASSERT_TRUE(cluster().remove(k8s::resources::kServices, s.ns(), "a"));
  EXPECT_TRUE(eventually([&] { return !pool(s, "p"); })) << "finalizer removed, pool deleted";
  // The log line follows the patch's answer; the API server may delete the pool (and the
  // watch show it) before the controller's callback has run.
  EXPECT_TRUE(
      eventually([&] { return c.log().find("pool protection removed") != std::string::npos; }));
}

TEST(ControllerProtectionIT, PoolRenameMovesServicesWithTheirIps) {
  // A rename is a delete plus a create: the Services follow their IPs into the new pool, and
  // the old one, no longer in use, goes.
  Scenario s("poolren");
  s.createPool("old", {"192.0.2.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("a");
  ASSERT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  ASSERT_TRUE(eventually([&] {
    auto p = pool(s, "old");
    return p && hasFinalizer(*p);
  }));
  ASSERT_TRUE(cluster().remove(k8s::resources::kIPAddressPools, s.ns(), "old"));
  s.createPool("new", {"192.0.2.0/28"});
  EXPECT_TRUE(eventually([&] {
    auto svc = cluster().get(k8s::resources::kServices, s.ns(), "a");
    return svc && annotationOf(*svc, "metallb.io/ip-allocated-from-pool") == "new";
  }));
  EXPECT_TRUE(eventually([&] { return !pool(s, "old"); }));
  EXPECT_EQ(s.ips("a"), std::vector<std::string>{"192.0.2.0"});
}

TEST(ControllerProtectionIT, PoolShrinkKeepsIpOnRevert) {
  Scenario s("shrink");
  s.createPool("p", {"192.0.2.0/29"});
  s.createAdvertisement();
  s.startController();
  s.createService("a");
  ASSERT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  // The mistake: the pool shrinks past a's IP.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "p",
                                   {{"spec", {{"addresses", {"192.0.2.4/30"}}}}}));
  EXPECT_TRUE(s.waitIps("a", {"192.0.2.4"}));
  waitEventSaying(s, "a", "Service", "Normal/ClearAssignment",
                  "held back for this Service for 300 s");
  // Reverted: a gets 192.0.2.0 back (and nobody took it meanwhile).
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "p",
                                   {{"spec", {{"addresses", {"192.0.2.0/29"}}}}}));
  EXPECT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  s.createService("b");
  EXPECT_TRUE(s.waitIps("b", {"192.0.2.1"}));
}

TEST(ControllerProtectionIT, ServiceEditRevertRestoresIp) {
  Scenario s("svcedit");
  s.createPool("a", {"192.0.2.0/30"});
  s.createPool("b", {"198.51.100.0/30"}, {{"autoAssign", false}});
  s.createAdvertisement();
  s.startController();
  s.createService("s");
  ASSERT_TRUE(s.waitIps("s", {"192.0.2.0"}));
  // The mistaken edit moves s to pool b; its IP is held back for it.
  ASSERT_TRUE(
      cluster().mergePatch(k8s::resources::kServices, s.ns(), "s",
                           {{"metadata", {{"annotations", {{"metallb.io/address-pool", "b"}}}}}}));
  EXPECT_TRUE(s.waitIps("s", {"198.51.100.0"}));
  waitEventSaying(s, "s", "Service", "Normal/ClearAssignment",
                  "held back for this Service for 300 s: undo the change to get the same IP back");
  s.createService("t");
  EXPECT_TRUE(s.waitIps("t", {"192.0.2.1"})) << "192.0.2.0 is held back for s";
  // Undone: s has its IP again.
  ASSERT_TRUE(cluster().mergePatch(
      k8s::resources::kServices, s.ns(), "s",
      {{"metadata", {{"annotations", {{"metallb.io/address-pool", nullptr}}}}}}));
  EXPECT_TRUE(s.waitIps("s", {"192.0.2.0"}));
}

TEST(ControllerProtectionIT, ReleasedIpHeldBack) {
  // With a short hold-back the pending Service gets the released IP once the period is over,
  // and not before.
  constexpr auto kHold = 4s;
  Scenario s("held");
  s.createPool("one", {"192.0.2.5/32"});
  s.createAdvertisement();
  ControllerOptions o = s.options();
  o.extra.push_back("--release-hold=4s");
  s.startController(o);
  s.createService("first");
  ASSERT_TRUE(s.waitIps("first", {"192.0.2.5"}));
  s.createService("second");
  ASSERT_TRUE(s.waitEvent("second", "Warning/AllocationFailed"));
  const auto released = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.makeClusterIp("first"));
  ASSERT_TRUE(s.waitIps("first", {}));
  EXPECT_TRUE(s.ips("second").empty()) << "held back for first";
  ASSERT_TRUE(s.waitIps("second", {"192.0.2.5"}));
  EXPECT_GE(std::chrono::steady_clock::now() - released, kHold - 500ms)
      << "the pending Service got the IP before the hold-back ended";
}

}  // namespace
}  // namespace ironlb::controller::it
