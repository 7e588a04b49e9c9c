// Pool counters: exact totals for any pool size (2^128 included), avoidBuggyIPs excluded
// arithmetically, assigned IPs counted once however many Services share them.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "controller/allocator/allocator.h"
#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using namespace testing;  // NOLINT: test helpers

struct CountCase {
  std::string name;
  lbconfig::Pool pool;
  std::string v4Total;
  std::string v6Total;
};

class Counters : public ::testing::TestWithParam<CountCase> {};

TEST_P(Counters, TotalsAreExact) {
  const CountCase& c = GetParam();
  Allocator a;
  ASSERT_TRUE(a.setPools({c.pool}).ok());
  const auto counters = a.counters(c.pool.name);
  ASSERT_TRUE(counters.has_value());
  EXPECT_EQ(counters->v4.total.toString(), c.v4Total);
  EXPECT_EQ(counters->v6.total.toString(), c.v6Total);
  EXPECT_TRUE(counters->v4.assigned.isZero());
  EXPECT_EQ(counters->v6.available(), counters->v6.total);
}

std::string countName(const ::testing::TestParamInfo<CountCase>& param) {
  return param.param.name;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Pools, Counters, ::testing::Values(
  CountCase{"Slash24", pool("p", {"192.0.2.0/24"}), "256", "0"},
  CountCase{"Slash24Avoid", pool("p", {"192.0.2.0/24"}).avoidBuggyIps(), "254", "0"},
  CountCase{"LowHalfAvoid", pool("p", {"192.0.2.0/25"}).avoidBuggyIps(), "127", "0"},
  CountCase{"HighHalfAvoid", pool("p", {"192.0.2.128/25"}).avoidBuggyIps(), "127", "0"},
  CountCase{"InteriorAvoid", pool("p", {"192.0.2.1-192.0.2.254"}).avoidBuggyIps(), "254", "0"},
  CountCase{"CrossingOctetAvoid", pool("p", {"192.0.2.254-192.0.3.1"}).avoidBuggyIps(), "2", "0"},
  CountCase{"Slash32Avoided", pool("p", {"192.0.2.255/32"}).avoidBuggyIps(), "0", "0"},
  CountCase{"Slash32", pool("p", {"192.0.2.255/32"}), "1", "0"},
  CountCase{"Slash8Avoid", pool("p", {"10.0.0.0/8"}).avoidBuggyIps(), "16646144", "0"},
  CountCase{"AllV4", pool("p", {"0.0.0.0/0"}), "4294967296", "0"},
  CountCase{"AllV4Avoid", pool("p", {"0.0.0.0/0"}).avoidBuggyIps(), "4261412864", "0"},
  CountCase{"Slash128", pool("p", {"2001:db8::1/128"}), "0", "1"},
  CountCase{"Slash64", pool("p", {"2001:db8::/64"}), "0", "18446744073709551616"},
  CountCase{"Slash64AvoidIgnoredForV6", pool("p", {"2001:db8::/64"}).avoidBuggyIps(), "0",
            "18446744073709551616"},
  CountCase{"AllV6", pool("p", {"::/0"}), "0", "340282366920938463463374607431768211456"},
  CountCase{"TwoHalvesMakeTwoPow128", pool("p", {"::/1", "8000::/1"}), "0",
            "340282366920938463463374607431768211456"},
  CountCase{"Mixed", pool("p", {"192.0.2.0/30", "2001:db8::/126", "198.51.100.0/31"}), "6", "4"}),
  countName);
// clang-format on

TEST(CountersTest, AssignedCountsDistinctIpsPerFamily) {
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("p", {"192.0.2.0/30", "2001:db8::/64"})}).ok());
  ASSERT_TRUE(a.allocate(svc("d/x").share("k")).ok());
  ASSERT_TRUE(a.allocate(svc("d/y").share("k").tcp(443)).ok());  // shares 192.0.2.0
  ASSERT_TRUE(a.allocate(svc("d/z").dual(FamilyPolicy::kRequireDualStack)).ok());
  const PoolCounters c = *a.counters("p");
  EXPECT_EQ(c.v4.assigned.value(), 2u);
  EXPECT_EQ(c.v4.available().value(), 2u);
  EXPECT_EQ(c.v6.assigned.value(), 1u);
  EXPECT_EQ(c.v6.available().toString(), "18446744073709551615");
  // Kubernetes status is int64: huge pools saturate as in MetalLB.
  EXPECT_EQ(c.v6.available().toInt64Saturated(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(c.v4.available().toInt64Saturated(), 2);
}

// metallb_allocator_services_allocated_total: Services per pool (sharing Services each count),
// every pool of the configuration listed, unused ones with 0; a released Service no longer counts.
TEST(CountersTest, ServicesPerPoolCountsServicesNotIps) {
  Allocator a;
  ASSERT_TRUE(
      a.setPools({pool("p", {"192.0.2.0/30"}), pool("q", {"198.51.100.0/30"}), pool("r", {})})
          .ok());
  ASSERT_TRUE(a.allocate(svc("d/x").share("k")).ok());
  ASSERT_TRUE(a.allocate(svc("d/y").share("k").tcp(443)).ok());  // shares x's IP
  ASSERT_TRUE(a.allocate(svc("d/z").fromPool("q")).ok());
  using Counts = std::vector<std::pair<std::string, std::size_t>>;
  EXPECT_EQ(a.servicesPerPool(), (Counts{{"p", 2}, {"q", 1}, {"r", 0}}));
  a.release("d/z");
  EXPECT_EQ(a.servicesPerPool(), (Counts{{"p", 2}, {"q", 0}, {"r", 0}}));
}

TEST(CountersTest, AllV6PoolAvailableAfterAssignment) {
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("p", {"::/0"})}).ok());
  auto r = a.allocate(svc("d/x").v6());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(describe(r->assignment), "p: ::");
  EXPECT_EQ(a.counters("p")->v6.available().toString(), "340282366920938463463374607431768211455");
}

TEST(CountersTest, UnknownPool) {
  Allocator a;
  EXPECT_FALSE(a.counters("p").has_value());
}

TEST(CountersTest, FullAvoidedV4SpaceAllocatesEnds) {
  // The first and last usable addresses of 0.0.0.0/0 with avoidBuggyIPs.
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("p", {"0.0.0.0/0"}).avoidBuggyIps()}).ok());
  auto first = a.allocate(svc("d/x"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(describe(first->assignment), "p: 0.0.0.1");
  EXPECT_TRUE(a.restore(svc("d/y"), ips({"255.255.255.254"})).ok());
  EXPECT_FALSE(a.restore(svc("d/z"), ips({"255.255.255.255"})).ok());
}

}  // namespace
}  // namespace ironlb::allocator
