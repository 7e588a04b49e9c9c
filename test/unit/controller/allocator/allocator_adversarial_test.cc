// Adversarial shapes: many ranges, many pools, touching and mixed-family ranges, the whole IPv6
// space, no pools at all, and avoidBuggyIPs fragmentation.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "controller/allocator/allocator.h"
#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using namespace testing;  // NOLINT: test helpers

lbconfig::PoolRange single(const net::IpAddress& ip) {
  return {net::IpRange(ip, ip), ip.toString() + "/" + std::to_string(ip.bits())};
}

TEST(AdversarialTest, TenThousandRangesInReverseSpecOrder) {
  lbconfig::Pool p = pool("many", {});
  const net::IpAddress base = ip("2001:db8::");
  for (int i = 9999; i >= 0; --i)
    p.ranges.push_back(single(*base.plus(2 * i)));
  Allocator a;
  ASSERT_TRUE(a.setPools({p}).ok());
  EXPECT_EQ(a.counters("many")->v6.total.value(), 10000u);
  for (int n = 0; n < 10000; ++n) {
    auto r = a.allocate(svc("d/s" + std::to_string(n)).v6());
    ASSERT_TRUE(r.ok()) << n << ": " << r.error();
    // Spec order, not address order: the n-th Service gets the n-th listed range.
    ASSERT_EQ(r->assignment.ips[0], *base.plus(2 * (9999 - n))) << n;
  }
  EXPECT_FALSE(a.allocate(svc("d/extra").v6()).ok());
  a.release("d/s5000");
  EXPECT_EQ(describe(a.allocate(svc("d/extra").v6())->assignment), "many: 2001:db8::270e");
  EXPECT_EQ(a.counters("many")->v6.assigned.value(), 10000u);
}

TEST(AdversarialTest, TwoThousandSingleAddressPoolsByPriorityThenName) {
  std::vector<lbconfig::Pool> pools;
  const net::IpAddress base = ip("2001:db8:1::");
  for (int i = 0; i < 2000; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "p%05d", i);
    lbconfig::Pool p = pool(name, {});
    p.ranges.push_back(single(*base.plus(i)));
    if (i % 2 == 1) p.serviceAllocation = lbconfig::ServiceAllocation{1, {}, {}, {}};
    pools.push_back(p);
  }
  std::shuffle(pools.begin(), pools.end(), std::mt19937(3));
  Allocator a;
  ASSERT_TRUE(a.setPools(pools).ok());
  // The 1,000 priority pools (odd numbers) first, by name; then the others by name.
  for (int n = 0; n < 2000; ++n) {
    auto r = a.allocate(svc("d/s" + std::to_string(n)).v6());
    ASSERT_TRUE(r.ok()) << r.error();
    const int expected = n < 1000 ? 2 * n + 1 : 2 * (n - 1000);
    char name[16];
    std::snprintf(name, sizeof name, "p%05d", expected);
    ASSERT_EQ(r->assignment.pool, name) << n;
  }
  auto full = a.allocate(svc("d/none").v6());
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().find("and 1995 more"), std::string::npos) << full.error();
}

TEST(AdversarialTest, TouchingRangesAcrossPools) {
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("lo", {"192.0.2.0/25"}), pool("hi", {"192.0.2.128/25"})}).ok());
  ASSERT_TRUE(a.restore(svc("d/x"), ips({"192.0.2.127"})).ok());
  ASSERT_TRUE(a.restore(svc("d/y"), ips({"192.0.2.128"})).ok());
  EXPECT_EQ(describe(*a.assignment("d/x")), "lo: 192.0.2.127");
  EXPECT_EQ(describe(*a.assignment("d/y")), "hi: 192.0.2.128");
}

TEST(AdversarialTest, MixedFamilyRangesInterleaved) {
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("m", {"2001:db8::/127", "192.0.2.0/31", "2001:db8::10/127",
                                     "192.0.2.10/31"})})
                  .ok());
  std::vector<std::string> got;
  for (int n = 0; n < 4; ++n) {
    auto r = a.allocate(svc("d/s" + std::to_string(n)).dual(FamilyPolicy::kRequireDualStack));
    ASSERT_TRUE(r.ok()) << r.error();
    got.push_back(describe(r->assignment));
  }
  EXPECT_EQ(got,
            (std::vector<std::string>{"m: 192.0.2.0,2001:db8::", "m: 192.0.2.1,2001:db8::1",
                                      "m: 192.0.2.10,2001:db8::10", "m: 192.0.2.11,2001:db8::11"}));
  EXPECT_FALSE(a.allocate(svc("d/s4").dual(FamilyPolicy::kRequireDualStack)).ok());
  // PreferDualStack still gets nothing: both families are exhausted.
  EXPECT_FALSE(a.allocate(svc("d/s5").dual(FamilyPolicy::kPreferDualStack)).ok());
}

TEST(AdversarialTest, NoPoolsAtAll) {
  Allocator a;
  EXPECT_NE(a.allocate(svc("d/s")).error().find("no IPAddressPools are configured"),
            std::string::npos);
  EXPECT_NE(a.restore(svc("d/s"), ips({"192.0.2.1"})).error().find("not in any IPAddressPool"),
            std::string::npos);
  EXPECT_FALSE(a.release("d/s").has_value());
  EXPECT_FALSE(a.counters("any").has_value());
  ASSERT_TRUE(a.setPools({}).ok());
  EXPECT_EQ(a.serviceCount(), 0u);
}

TEST(AdversarialTest, WholeIpv6SpaceEnds) {
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("all", {"::/0"})}).ok());
  ASSERT_TRUE(a.restore(svc("d/top").v6(), ips({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"})).ok());
  ASSERT_TRUE(a.restore(svc("d/zero").v6(), ips({"::"})).ok());
  EXPECT_EQ(describe(a.allocate(svc("d/s").v6())->assignment), "all: ::1");
  a.release("d/top");
  a.release("d/zero");
  EXPECT_EQ(describe(a.allocate(svc("d/t").v6())->assignment), "all: ::");
  EXPECT_EQ(a.counters("all")->v6.available().toString(),
            "340282366920938463463374607431768211454");
}

TEST(AdversarialTest, AvoidBuggyFragmentationStaysExact) {
  // Every usable address of 10.0.0.0/20 (16 /24s, 32 avoided) restored in random order except
  // one near the end; allocation must find exactly that one.
  Allocator a;
  ASSERT_TRUE(a.setPools({pool("b", {"10.0.0.0/20"}).avoidBuggyIps()}).ok());
  std::vector<uint32_t> usable;
  const uint32_t base = ip("10.0.0.0").v4Value();
  for (uint32_t v = base; v < base + 4096; ++v) {
    const uint32_t last = v & 0xff;
    if (last != 0 && last != 255 && v != base + 15 * 256 + 200) usable.push_back(v);
  }
  std::shuffle(usable.begin(), usable.end(), std::mt19937(9));
  for (std::size_t i = 0; i < usable.size(); ++i) {
    ASSERT_TRUE(a.restore(svc("d/s" + std::to_string(i)), {net::IpAddress::v4(usable[i])}).ok());
  }
  EXPECT_EQ(a.counters("b")->v4.total.value(), 4096u - 32u);
  EXPECT_EQ(describe(a.allocate(svc("d/last"))->assignment), "b: 10.0.15.200");
  EXPECT_FALSE(a.allocate(svc("d/none")).ok());
  EXPECT_EQ(a.counters("b")->v4.available().value(), 0u);
}

}  // namespace
}  // namespace ironlb::allocator
