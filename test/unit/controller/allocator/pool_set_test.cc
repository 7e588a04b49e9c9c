// PoolSet: validation, IP -> range lookup across pools and families, automatic order.

#include "controller/allocator/pool_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using namespace testing;  // NOLINT: test helpers

std::vector<std::string> names(const PoolSet& set, const std::vector<uint32_t>& order) {
  std::vector<std::string> out;
  for (auto p : order)
    out.push_back(set.pool(p).name);
  return out;
}

TEST(PoolSetTest, LocatesAcrossPoolsAndFamilies) {
  auto set = PoolSet::build({pool("a", {"198.51.100.0/30", "192.0.2.0/30"}),
                             pool("b", {"2001:db8::/127", "192.0.2.4-192.0.2.4"})});
  ASSERT_TRUE(set.ok());
  const auto where = [&](std::string_view text) -> std::string {
    const auto id = set->locate(ip(text));
    if (!id) return "-";
    const RangeSlot& s = set->slot(*id);
    return set->pool(s.pool).name + "#" + std::to_string(s.position);
  };
  EXPECT_EQ(where("192.0.2.0"), "a#1");
  EXPECT_EQ(where("192.0.2.3"), "a#1");
  EXPECT_EQ(where("192.0.2.4"), "b#1");
  EXPECT_EQ(where("192.0.2.5"), "-");
  EXPECT_EQ(where("198.51.100.3"), "a#0");
  EXPECT_EQ(where("2001:db8::1"), "b#0");
  EXPECT_EQ(where("2001:db8::2"), "-");
  EXPECT_EQ(where("0.0.0.0"), "-");
  EXPECT_EQ(where("::"), "-");
  // An IPv4 address numerically inside an IPv6 range does not match it.
  auto v6all = PoolSet::build({pool("all", {"::/0"})});
  ASSERT_TRUE(v6all.ok());
  EXPECT_FALSE(v6all->locate(ip("192.0.2.1")).has_value());
  EXPECT_TRUE(v6all->locate(ip("::c000:201")).has_value());
}

TEST(PoolSetTest, AutomaticOrder) {
  auto set = PoolSet::build({
      pool("open-b", {"192.0.2.0/30"}),
      pool("open-a", {"192.0.2.4/30"}),
      pool("manual", {"192.0.2.8/30"}).noAutoAssign().priority(1),
      pool("unset-z", {"192.0.2.12/30"}).namespaces({"x"}),
      pool("unset-a", {"192.0.2.16/30"}).serviceSelector("k", "v"),
      pool("p2", {"192.0.2.20/30"}).priority(2),
      pool("p1-b", {"192.0.2.24/30"}).priority(1).namespaces({"x"}),
      pool("p1-a", {"192.0.2.28/30"}).priority(1),
      pool("empty-alloc", {"192.0.2.32/30"}).emptyServiceAllocation(),
      pool("p1-c", {"192.0.2.36/30"}).priority(1).namespaceSelector("team", "x"),
  });
  ASSERT_TRUE(set.ok());
  // Equal priority: the pools that select Services (p1-b, p1-c) before the one with only a
  // priority (p1-a), then by name.
  EXPECT_EQ(names(*set, set->constrainedAutoPools()),
            (std::vector<std::string>{"p1-b", "p1-c", "p1-a", "p2", "unset-a", "unset-z"}));
  EXPECT_EQ(names(*set, set->openAutoPools()),
            (std::vector<std::string>{"empty-alloc", "open-a", "open-b"}));
  EXPECT_EQ(set->poolIndex("manual"), 2u);
  EXPECT_FALSE(set->poolIndex("nope").has_value());
}

TEST(PoolSetTest, RejectsWhatAllocationCannotHandle) {
  EXPECT_NE(PoolSet::build({pool("a", {"192.0.2.0/24"}), pool("b", {"192.0.2.255/32"})})
                .error()
                .find("address ranges overlap: \"192.0.2.0/24\" of pool \"a\" and "
                      "\"192.0.2.255/32\" of pool \"b\""),
            std::string::npos);
  EXPECT_FALSE(PoolSet::build({pool("a", {"192.0.2.0/28", "192.0.2.15-192.0.2.16"})}).ok());
  EXPECT_FALSE(PoolSet::build({pool("a", {"2001:db8::/64", "2001:db8::1/128"})}).ok());
  EXPECT_FALSE(PoolSet::build({pool("", {"192.0.2.0/28"})}).ok());
  EXPECT_FALSE(PoolSet::build({pool("a", {"192.0.2.0/28"}), pool("a", {})}).ok());
  // Touching is not overlapping; equal numbers in different families are not either.
  EXPECT_TRUE(
      PoolSet::build({pool("a", {"192.0.2.0/28", "192.0.2.16/28"}), pool("b", {"::c000:200/124"})})
          .ok());
  EXPECT_TRUE(PoolSet::build({}).ok());
}

}  // namespace
}  // namespace ironlb::allocator
