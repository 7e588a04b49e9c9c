#include "common/lbconfig/pool.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

LabelSelector in(const std::string& key, const std::string& value) {
  return LabelSelector({{key, SelectorOp::kIn, {value}}});
}

TEST(PoolTest, AdmitsFollowsServiceAllocation) {
  const Labels gold_ns{{"tier", "gold"}};
  const Labels plain_ns;
  const Labels web{{"app", "web"}};
  const Labels db{{"app", "db"}};

  Pool none;  // no serviceAllocation: everything
  Pool empty;
  empty.service_allocation = ServiceAllocation{};  // present but empty: everything
  Pool by_name;
  by_name.service_allocation = ServiceAllocation{0, {"team-a"}, {}, {}};
  Pool by_ns_selector;
  by_ns_selector.service_allocation = ServiceAllocation{0, {}, {in("tier", "gold")}, {}};
  Pool name_or_selector;
  name_or_selector.service_allocation = ServiceAllocation{0, {"team-a"}, {in("tier", "gold")}, {}};
  Pool by_service;
  by_service.service_allocation = ServiceAllocation{0, {}, {}, {in("app", "web")}};
  Pool both;
  both.service_allocation = ServiceAllocation{5, {"team-a"}, {}, {in("app", "web")}};

  const struct {
    const Pool& pool;
    std::string ns;
    const Labels& ns_labels;
    const Labels& labels;
    bool expected;
  } cases[] = {
      {none, "x", plain_ns, db, true},
      {empty, "x", plain_ns, db, true},
      {by_name, "team-a", plain_ns, db, true},
      {by_name, "team-b", gold_ns, db, false},
      {by_ns_selector, "team-b", gold_ns, db, true},
      {by_ns_selector, "team-b", plain_ns, db, false},
      {name_or_selector, "team-a", plain_ns, db, true},
      {name_or_selector, "team-b", gold_ns, db, true},
      {name_or_selector, "team-b", plain_ns, db, false},
      {by_service, "any", plain_ns, web, true},
      {by_service, "any", plain_ns, db, false},
      {both, "team-a", plain_ns, web, true},
      {both, "team-a", plain_ns, db, false},
      {both, "team-b", plain_ns, web, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.pool.admits(ServiceView{c.ns, c.ns_labels, c.labels}), c.expected) << c.ns;
  }
  EXPECT_FALSE(none.hasAllocationConstraints());
  EXPECT_FALSE(empty.hasAllocationConstraints());
  EXPECT_TRUE(by_name.hasAllocationConstraints());
  Pool priority_only;
  priority_only.service_allocation = ServiceAllocation{10, {}, {}, {}};
  EXPECT_TRUE(priority_only.hasAllocationConstraints());

  // Selecting Services (what makes a pool preferred among equal priorities) takes namespaces or
  // selectors; a priority alone admits everyone.
  EXPECT_FALSE(none.selectsServices());
  EXPECT_FALSE(empty.selectsServices());
  EXPECT_FALSE(priority_only.selectsServices());
  EXPECT_TRUE(by_name.selectsServices());
  EXPECT_TRUE(by_ns_selector.selectsServices());
  EXPECT_TRUE(by_service.selectsServices());
  EXPECT_TRUE(both.selectsServices());
}

TEST(PoolTest, ContainsAndFamilies) {
  Pool p;
  p.ranges.push_back(PoolRange{net::Prefix::parse("192.0.2.0/28")->prefix.range(), "192.0.2.0/28"});
  p.ranges.push_back(
      PoolRange{*net::IpRange::parse("2001:db8::10-2001:db8::20"), "2001:db8::10-2001:db8::20"});
  EXPECT_TRUE(p.contains(*net::IpAddress::parse("192.0.2.15")));
  EXPECT_FALSE(p.contains(*net::IpAddress::parse("192.0.2.16")));
  EXPECT_TRUE(p.contains(*net::IpAddress::parse("2001:db8::10")));
  EXPECT_FALSE(p.contains(*net::IpAddress::parse("2001:db8::21")));
  EXPECT_TRUE(p.hasFamily(net::Family::kV4));
  EXPECT_TRUE(p.hasFamily(net::Family::kV6));
  EXPECT_FALSE(Pool{}.hasFamily(net::Family::kV4));
}

}  // namespace
}  // namespace ironlb::lbconfig
