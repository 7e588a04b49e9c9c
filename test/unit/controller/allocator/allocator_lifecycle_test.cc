// Tests of what happens to assignments over time: re-allocating a Service that already holds
// IPs, key changes in place, release, start-up restore, and pool changes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/allocator/allocator.h"
#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using namespace testing;  // NOLINT: test helpers
using net::Family;

std::string held(const Allocator& a, const std::string& key) {
  const auto assignment = a.assignment(key);
  return assignment ? describe(*assignment) : "none";
}

AllocationResult mustAllocate(Allocator& a, const ServiceRequest& r) {
  auto result = a.allocate(r);
  EXPECT_TRUE(result.ok()) << r.key << ": " << (result.ok() ? "" : result.error());
  return result.ok() ? *result : AllocationResult{};
}

class Lifecycle : public ::testing::Test {
 protected:
  void pools(std::vector<lbconfig::Pool> p) { ASSERT_TRUE(a_.setPools(std::move(p)).ok()); }
  Allocator a_;
};

// ---- allocate on a Service that already holds IPs -----------------------------------------

TEST_F(Lifecycle, ReallocateKeepsIpEvenWhenLowerAddressFreed) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/x"));
  mustAllocate(a_, svc("d/s"));
  a_.release("d/x");
  const AllocationResult again = mustAllocate(a_, svc("d/s"));
  EXPECT_EQ(again.outcome, Outcome::kUnchanged);
  EXPECT_EQ(describe(again.assignment), "a: 192.0.2.1");
  EXPECT_TRUE(again.released.empty());
}

TEST_F(Lifecycle, ReallocateKeepsIpWhenBetterPoolAppears) {
  pools({pool("b", {"198.51.100.0/28"})});
  mustAllocate(a_, svc("d/s"));
  pools({pool("b", {"198.51.100.0/28"}), pool("a", {"192.0.2.0/28"}).priority(1)});
  EXPECT_EQ(mustAllocate(a_, svc("d/s")).outcome, Outcome::kUnchanged);
  EXPECT_EQ(held(a_, "d/s"), "b: 198.51.100.0");
}

TEST_F(Lifecycle, ChangedRequestedPoolMoves) {
  pools({pool("a", {"192.0.2.0/28"}), pool("b", {"198.51.100.0/28"})});
  mustAllocate(a_, svc("d/s"));
  const AllocationResult moved = mustAllocate(a_, svc("d/s").fromPool("b"));
  EXPECT_EQ(moved.outcome, Outcome::kAllocated);
  EXPECT_EQ(describe(moved.assignment), "b: 198.51.100.0");
  EXPECT_EQ(moved.released, ips({"192.0.2.0"}));
  EXPECT_NE(moved.releaseReason.find("requests pool \"b\""), std::string::npos);
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 0u);
}

TEST_F(Lifecycle, ChangedRequestedIpMoves) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s"));
  const AllocationResult moved = mustAllocate(a_, svc("d/s").wants({"192.0.2.9"}));
  EXPECT_EQ(describe(moved.assignment), "a: 192.0.2.9");
  EXPECT_EQ(moved.released, ips({"192.0.2.0"}));
}

TEST_F(Lifecycle, RequestedIpAlreadyHeldIsUnchanged) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s").wants({"192.0.2.9"}));
  EXPECT_EQ(mustAllocate(a_, svc("d/s").wants({"192.0.2.9"})).outcome, Outcome::kUnchanged);
}

TEST_F(Lifecycle, FailedReallocationLeavesNothing) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s"));
  auto failed = a_.allocate(svc("d/s").fromPool("missing"));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("its previous IPs 192.0.2.0 were released"), std::string::npos)
      << failed.error();
  EXPECT_EQ(held(a_, "d/s"), "none");
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 0u);
}

TEST_F(Lifecycle, InvalidRequestReleases) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s"));
  EXPECT_FALSE(a_.allocate(svc("d/s").wants({"192.0.2.1", "192.0.2.2"})).ok());
  EXPECT_EQ(held(a_, "d/s"), "none");
}

TEST_F(Lifecycle, NoLongerAdmittedMoves) {
  pools(
      {pool("a", {"192.0.2.0/28"}).serviceSelector("tier", "web"), pool("b", {"198.51.100.0/28"})});
  mustAllocate(a_, svc("d/s").label("tier", "web"));
  const AllocationResult moved = mustAllocate(a_, svc("d/s").label("tier", "db"));
  EXPECT_EQ(describe(moved.assignment), "b: 198.51.100.0");
  EXPECT_NE(moved.releaseReason.find("no longer admits"), std::string::npos);
}

TEST_F(Lifecycle, SoleHolderChangesKeyInPlace) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s").share("old"));
  EXPECT_EQ(mustAllocate(a_, svc("d/s").share("new")).outcome, Outcome::kUnchanged);
  EXPECT_EQ(held(a_, "d/s"), "a: 192.0.2.0");
  // The sharing index follows the key: "new" joins, "old" does not.
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/n").share("new").tcp(443)).assignment),
            "a: 192.0.2.0");
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/o").share("old").tcp(444)).assignment),
            "a: 192.0.2.1");
}

TEST_F(Lifecycle, SoleHolderDropsKeyInPlace) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s").share("k"));
  EXPECT_EQ(mustAllocate(a_, svc("d/s")).outcome, Outcome::kUnchanged);
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/n").share("k").tcp(443)).assignment), "a: 192.0.2.1");
}

TEST_F(Lifecycle, SharedHolderChangingKeyMoves) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/x").share("k"));
  mustAllocate(a_, svc("d/s").share("k").tcp(443));
  const AllocationResult moved = mustAllocate(a_, svc("d/s").share("j").tcp(443));
  EXPECT_EQ(describe(moved.assignment), "a: 192.0.2.1");
  EXPECT_NE(moved.releaseReason.find("with sharing key \"k\", not \"j\""), std::string::npos);
  EXPECT_EQ(held(a_, "d/x"), "a: 192.0.2.0");
}

TEST_F(Lifecycle, PortChangeClashingWithCoHolderMoves) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/x").share("k"));
  mustAllocate(a_, svc("d/s").share("k").tcp(443));
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/s").share("k").tcp(80)).assignment), "a: 192.0.2.1");
}

TEST_F(Lifecycle, PreferDualStackGainsMissingFamilyFromSamePool) {
  pools({pool("a", {"192.0.2.0/30"}), pool("z", {"2001:db8::/126"})});
  mustAllocate(a_, svc("d/s").dual(FamilyPolicy::kPreferDualStack));
  EXPECT_EQ(held(a_, "d/s"), "a: 192.0.2.0");
  // Another pool's IPv6 does not count; only the pool the Service is in.
  EXPECT_EQ(mustAllocate(a_, svc("d/s").dual(FamilyPolicy::kPreferDualStack)).outcome,
            Outcome::kUnchanged);
  pools({pool("a", {"192.0.2.0/30", "2001:db8:1::/126"}), pool("z", {"2001:db8::/126"})});
  const AllocationResult extended =
      mustAllocate(a_, svc("d/s").dual(FamilyPolicy::kPreferDualStack));
  EXPECT_EQ(extended.outcome, Outcome::kExtended);
  EXPECT_EQ(describe(extended.assignment), "a: 192.0.2.0,2001:db8:1::");
}

TEST_F(Lifecycle, PreferDualStackGainsPrimaryInFront) {
  pools({pool("a", {"192.0.2.0/30"})});
  mustAllocate(a_, svc("d/s").dual(FamilyPolicy::kPreferDualStack, Family::kV6));
  pools({pool("a", {"192.0.2.0/30", "2001:db8::/126"})});
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/s").dual(FamilyPolicy::kPreferDualStack, Family::kV6))
                         .assignment),
            "a: 2001:db8::,192.0.2.0");
}

TEST_F(Lifecycle, DualStackTurnedSingleStackKeepsPrimaryIp) {
  pools({pool("a", {"192.0.2.0/30", "2001:db8::/126"})});
  mustAllocate(a_, svc("d/w"));  // 192.0.2.0, so d/s's IPv4 is not the first free one
  mustAllocate(a_, svc("d/s").dual(FamilyPolicy::kRequireDualStack));
  a_.release("d/w");
  const AllocationResult v4 = mustAllocate(a_, svc("d/s"));
  EXPECT_EQ(v4.outcome, Outcome::kReduced);
  EXPECT_EQ(describe(v4.assignment), "a: 192.0.2.1");
  EXPECT_EQ(v4.released, ips({"2001:db8::"}));
  EXPECT_EQ(a_.counters("a")->v6.assigned.value(), 0u);

  mustAllocate(a_, svc("d/t").dual(FamilyPolicy::kPreferDualStack));
  const AllocationResult v6 = mustAllocate(a_, svc("d/t").v6());
  EXPECT_EQ(v6.outcome, Outcome::kReduced);
  EXPECT_EQ(describe(v6.assignment), "a: 2001:db8::");
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
}

// ---- release ------------------------------------------------------------------------------

TEST_F(Lifecycle, ReleaseReturnsAndFrees) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/s"));
  const auto released = a_.release("d/s");
  ASSERT_TRUE(released.has_value());
  EXPECT_EQ(describe(*released), "a: 192.0.2.0");
  EXPECT_FALSE(a_.release("d/s").has_value());
  EXPECT_FALSE(a_.release("d/never").has_value());
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/t")).assignment), "a: 192.0.2.0");
}

TEST_F(Lifecycle, ReleasingOneSharerKeepsTheIp) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/x").share("k"));
  mustAllocate(a_, svc("d/s").share("k").tcp(443));
  a_.release("d/x");
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/t")).assignment), "a: 192.0.2.1");
}

// ---- restore ------------------------------------------------------------------------------

TEST_F(Lifecycle, RestoreIsIdempotentAndNeverMoves) {
  pools({pool("a", {"192.0.2.0/28"})});
  auto first = a_.restore(svc("d/s"), ips({"192.0.2.7"}));
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->outcome, Outcome::kAllocated);
  auto second = a_.restore(svc("d/s"), ips({"192.0.2.7"}));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcome, Outcome::kUnchanged);
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
  // A later allocate keeps it although 192.0.2.0 is free.
  EXPECT_EQ(mustAllocate(a_, svc("d/s")).outcome, Outcome::kUnchanged);
  EXPECT_EQ(held(a_, "d/s"), "a: 192.0.2.7");
}

TEST_F(Lifecycle, RestoreIgnoresAutoAssignAndPriority) {
  pools({pool("m", {"192.0.2.0/28"}).noAutoAssign(), pool("p", {"198.51.100.0/28"}).priority(1)});
  ASSERT_TRUE(a_.restore(svc("d/s"), ips({"192.0.2.3"})).ok());
  EXPECT_EQ(held(a_, "d/s"), "m: 192.0.2.3");
}

TEST_F(Lifecycle, RestoreDualStackInFamilyOrder) {
  pools({pool("a", {"192.0.2.0/28", "2001:db8::/120"})});
  auto r = a_.restore(svc("d/s").dual(FamilyPolicy::kRequireDualStack, Family::kV6),
                      ips({"192.0.2.3", "2001:db8::3"}));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(describe(r->assignment), "a: 2001:db8::3,192.0.2.3");
}

TEST_F(Lifecycle, RestoreSharedIps) {
  pools({pool("a", {"192.0.2.0/28"})});
  ASSERT_TRUE(a_.restore(svc("d/x").share("k"), ips({"192.0.2.3"})).ok());
  ASSERT_TRUE(a_.restore(svc("d/s").share("k").tcp(443), ips({"192.0.2.3"})).ok());
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
}

TEST_F(Lifecycle, RestoreWithDifferentIpsReplaces) {
  pools({pool("a", {"192.0.2.0/28"})});
  ASSERT_TRUE(a_.restore(svc("d/s"), ips({"192.0.2.3"})).ok());
  auto r = a_.restore(svc("d/s"), ips({"192.0.2.4"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->released, ips({"192.0.2.3"}));
  EXPECT_EQ(held(a_, "d/s"), "a: 192.0.2.4");
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
}

TEST_F(Lifecycle, RestoreDoesNotCheckRequestedPoolButAllocateDoes) {
  pools({pool("a", {"192.0.2.0/28"}), pool("b", {"198.51.100.0/28"})});
  ASSERT_TRUE(a_.restore(svc("d/s").fromPool("b"), ips({"192.0.2.3"})).ok());
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/s").fromPool("b")).assignment), "b: 198.51.100.0");
}

struct RestoreFailure {
  std::string name;
  ServiceRequest request;
  std::vector<net::IpAddress> ips;
  std::string message;
};

class RestoreFailures : public ::testing::TestWithParam<RestoreFailure> {};

TEST_P(RestoreFailures, FailWithoutChangingAnything) {
  const RestoreFailure& c = GetParam();
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("a", {"192.0.2.0/24"}).avoidBuggyIps(),
                          pool("p", {"198.51.100.0/28"}).namespaces({"prod"}),
                          pool("six", {"2001:db8::/120"})})
                  .ok());
  ASSERT_TRUE(a.restore(svc("d/holder"), ips({"192.0.2.9"})).ok());
  ASSERT_TRUE(a.restore(svc("d/s"), ips({"192.0.2.20"})).ok());
  auto r = a.restore(c.request, c.ips);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find(c.message), std::string::npos) << r.error();
  EXPECT_EQ(held(a, "d/s"), "a: 192.0.2.20");
  EXPECT_EQ(held(a, "d/holder"), "a: 192.0.2.9");
  EXPECT_EQ(a.counters("a")->v4.assigned.value(), 2u);
}

std::string restoreName(const ::testing::TestParamInfo<RestoreFailure>& param) {
  return param.param.name;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Restore, RestoreFailures, ::testing::Values(
  RestoreFailure{"NotInPool", svc("d/s"), ips({"203.0.113.1"}), "203.0.113.1 is not in any IPAddressPool"},
  RestoreFailure{"Avoided", svc("d/s"), ips({"192.0.2.255"}), "excluded by avoidBuggyIPs of pool \"a\""},
  RestoreFailure{"NotAdmitted", svc("d/s"), ips({"198.51.100.1"}), "pool \"p\" does not admit"},
  RestoreFailure{"HeldByOther", svc("d/s"), ips({"192.0.2.9"}), "already in use by d/holder (no sharing key)"},
  RestoreFailure{"WrongFamily", svc("d/s"), ips({"2001:db8::1"}), "the Service has no IPv6 family"},
  RestoreFailure{"TwoPools", svc("d/s").dual(FamilyPolicy::kRequireDualStack), ips({"192.0.2.1", "2001:db8::1"}),
                 "are in different pools"},
  RestoreFailure{"RequireNeedsTwo", svc("d/s").dual(FamilyPolicy::kRequireDualStack), ips({"192.0.2.1"}),
                 "RequireDualStack needs one IPv4 and one IPv6 address"},
  RestoreFailure{"Empty", svc("d/s"), {}, "no IPs in status"},
  RestoreFailure{"Unusable", svc("d/s"), ips({"127.0.0.1"}),
                 "127.0.0.1 is a loopback address (127.0.0.0/8), which no host can use as a Service address"}),
  restoreName);
// clang-format on

// ---- setPools -----------------------------------------------------------------------------

TEST_F(Lifecycle, SetPoolsClearsUnusableIpsWithTheReason) {
  // An assignment made before pools left out unusable addresses (0.0.0.0 from 0.0.0.0/0): the
  // pool as lbconfig builds it now no longer holds it, and the reason says why.
  pools({pool("all", {"0.0.0.0/0"})});
  ASSERT_TRUE(a_.restore(svc("d/x"), ips({"0.0.0.0"})).ok());
  auto report = a_.setPools({pool("all", {"1.0.0.0-126.255.255.255"})});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->cleared.size(), 1u);
  EXPECT_EQ(report->cleared[0].reason,
            "0.0.0.0 is a \"this network\" address (0.0.0.0/8), which no host can use as a "
            "Service address");
  EXPECT_EQ(held(a_, "d/x"), "none");
}

TEST_F(Lifecycle, SetPoolsClearsIpsOutsideEveryPool) {
  pools({pool("a", {"192.0.2.0/30", "198.51.100.0/30"})});
  ASSERT_TRUE(a_.restore(svc("d/x"), ips({"192.0.2.1"})).ok());
  ASSERT_TRUE(a_.restore(svc("d/y"), ips({"198.51.100.1"})).ok());
  auto report = a_.setPools({pool("a", {"198.51.100.0/30"})});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->cleared.size(), 1u);
  EXPECT_EQ(report->cleared[0].service, "d/x");
  EXPECT_EQ(describe(report->cleared[0].previous), "a: 192.0.2.1");
  EXPECT_EQ(report->cleared[0].reason, "192.0.2.1 is no longer in any IPAddressPool");
  EXPECT_TRUE(report->repooled.empty());
  EXPECT_EQ(held(a_, "d/x"), "none");
  EXPECT_EQ(held(a_, "d/y"), "a: 198.51.100.1");
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
}

TEST_F(Lifecycle, SetPoolsAvoidBuggyClearsOnlyAvoidedIps) {
  pools({pool("a", {"192.0.2.0/24"})});
  ASSERT_TRUE(a_.restore(svc("d/zero"), ips({"192.0.2.0"})).ok());
  ASSERT_TRUE(a_.restore(svc("d/one"), ips({"192.0.2.1"})).ok());
  ASSERT_TRUE(a_.restore(svc("d/top"), ips({"192.0.2.255"})).ok());
  auto report = a_.setPools({pool("a", {"192.0.2.0/24"}).avoidBuggyIps()});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->cleared.size(), 2u);
  EXPECT_EQ(report->cleared[0].service, "d/top");
  EXPECT_EQ(report->cleared[1].service, "d/zero");
  EXPECT_NE(report->cleared[1].reason.find("avoidBuggyIPs of pool \"a\""), std::string::npos);
  EXPECT_EQ(held(a_, "d/one"), "a: 192.0.2.1");
  EXPECT_EQ(a_.counters("a")->v4.total.value(), 254u);
  // The cleared Service is re-allocated to the first usable address.
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/zero")).assignment), "a: 192.0.2.2");
}

TEST_F(Lifecycle, SetPoolsRenamedPoolKeepsIps) {
  pools({pool("old", {"192.0.2.0/28"})});
  ASSERT_TRUE(a_.restore(svc("d/s"), ips({"192.0.2.5"})).ok());
  auto report = a_.setPools({pool("new", {"192.0.2.0/29"}), pool("other", {"192.0.2.8/29"})});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->cleared.empty());
  ASSERT_EQ(report->repooled.size(), 1u);
  EXPECT_EQ(report->repooled[0], (Repooled{"d/s", "old", "new"}));
  EXPECT_EQ(held(a_, "d/s"), "new: 192.0.2.5");
  EXPECT_EQ(a_.counters("new")->v4.assigned.value(), 1u);
  EXPECT_EQ(a_.counters("other")->v4.assigned.value(), 0u);
  EXPECT_FALSE(a_.counters("old").has_value());
}

TEST_F(Lifecycle, SetPoolsClearsWhenPoolNoLongerAdmits) {
  pools({pool("a", {"192.0.2.0/28"})});
  ASSERT_TRUE(a_.restore(svc("dev/s"), ips({"192.0.2.5"})).ok());
  ASSERT_TRUE(a_.restore(svc("prod/s"), ips({"192.0.2.6"})).ok());
  auto report = a_.setPools({pool("a", {"192.0.2.0/28"}).namespaces({"prod"})});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->cleared.size(), 1u);
  EXPECT_EQ(report->cleared[0].service, "dev/s");
  EXPECT_EQ(report->cleared[0].reason, "pool \"a\" no longer admits dev/s (serviceAllocation)");
  EXPECT_EQ(held(a_, "prod/s"), "a: 192.0.2.6");
}

TEST_F(Lifecycle, SetPoolsClearsOnlyTheSharerThatIsNoLongerAdmitted) {
  pools({pool("a", {"192.0.2.0/28"})});
  ASSERT_TRUE(a_.restore(svc("dev/s").share("k"), ips({"192.0.2.5"})).ok());
  ASSERT_TRUE(a_.restore(svc("prod/s").share("k").tcp(443), ips({"192.0.2.5"})).ok());
  auto report = a_.setPools({pool("a", {"192.0.2.0/28"}).namespaces({"prod"})});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->cleared.size(), 1u);
  EXPECT_EQ(held(a_, "prod/s"), "a: 192.0.2.5");
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 1u);
}

TEST_F(Lifecycle, SetPoolsClearsDualStackSplitAcrossPools) {
  pools({pool("a", {"192.0.2.0/28", "2001:db8::/120"})});
  ASSERT_TRUE(a_.restore(svc("d/s").dual(FamilyPolicy::kRequireDualStack),
                         ips({"192.0.2.1", "2001:db8::1"}))
                  .ok());
  auto report = a_.setPools({pool("a", {"192.0.2.0/28"}), pool("b", {"2001:db8::/120"})});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->cleared.size(), 1u);
  EXPECT_NE(report->cleared[0].reason.find("now in two pools"), std::string::npos);
  EXPECT_EQ(a_.counters("a")->v4.assigned.value(), 0u);
  EXPECT_EQ(a_.counters("b")->v6.assigned.value(), 0u);
}

TEST_F(Lifecycle, SetPoolsEmptyClearsEverything) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/x"));
  mustAllocate(a_, svc("d/y"));
  auto report = a_.setPools({});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->cleared.size(), 2u);
  EXPECT_EQ(a_.serviceCount(), 0u);
  EXPECT_EQ(a_.ipCount(), 0u);
  EXPECT_FALSE(a_.allocate(svc("d/x")).ok());
}

TEST_F(Lifecycle, SetPoolsRejectsBadConfigWithoutChange) {
  pools({pool("a", {"192.0.2.0/28"})});
  mustAllocate(a_, svc("d/x"));
  auto overlap = a_.setPools({pool("a", {"192.0.2.0/28"}), pool("b", {"192.0.2.8-192.0.2.20"})});
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.error().find("overlap"), std::string::npos);
  auto dup = a_.setPools({pool("a", {"192.0.2.0/28"}), pool("a", {"198.51.100.0/28"})});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().find("two IPAddressPools are named \"a\""), std::string::npos);
  EXPECT_EQ(held(a_, "d/x"), "a: 192.0.2.0");
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/y")).assignment), "a: 192.0.2.1");
}

TEST_F(Lifecycle, SetPoolsKeepsSpaceConsistentForLaterAllocation) {
  pools({pool("a", {"192.0.2.0/30"})});
  mustAllocate(a_, svc("d/w"));
  mustAllocate(a_, svc("d/x"));
  // The range grows; held IPs stay, the next Service gets the first free one.
  pools({pool("a", {"192.0.2.0/29"})});
  EXPECT_EQ(describe(mustAllocate(a_, svc("d/y")).assignment), "a: 192.0.2.2");
}

}  // namespace
}  // namespace ironlb::allocator
