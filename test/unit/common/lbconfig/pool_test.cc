#include "common/lbconfig/pool.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

LabelSelector in(const std::string& key, const std::string& value) {
  return LabelSelector({{key, SelectorOp::kIn, {value}}});
}

TEST(PoolTest, AdmitsFollowsServiceAllocation) {
  const Labels goldNs{{"tier", "gold"}};
  const Labels plainNs;
  const Labels web{{"app", "web"}};
  const Labels db{{"app", "db"}};

  Pool none;  // no serviceAllocation: everything
  Pool empty;
  empty.serviceAllocation = ServiceAllocation{};  // present but empty: everything
  Pool byName;
  byName.serviceAllocation = ServiceAllocation{0, {"team-a"}, {}, {}};
  Pool byNsSelector;
  byNsSelector.serviceAllocation = ServiceAllocation{0, {}, {in("tier", "gold")}, {}};
  Pool nameOrSelector;
  nameOrSelector.serviceAllocation = ServiceAllocation{0, {"team-a"}, {in("tier", "gold")}, {}};
  Pool byService;
  byService.serviceAllocation = ServiceAllocation{0, {}, {}, {in("app", "web")}};
  Pool both;
  both.serviceAllocation = ServiceAllocation{5, {"team-a"}, {}, {in("app", "web")}};

  const struct {
    const Pool& pool;
    std::string ns;
    const Labels& nsLabels;
    const Labels& labels;
    bool expected;
  } cases[] = {
      {none, "x", plainNs, db, true},
      {empty, "x", plainNs, db, true},
      {byName, "team-a", plainNs, db, true},
      {byName, "team-b", goldNs, db, false},
      {byNsSelector, "team-b", goldNs, db, true},
      {byNsSelector, "team-b", plainNs, db, false},
      {nameOrSelector, "team-a", plainNs, db, true},
      {nameOrSelector, "team-b", goldNs, db, true},
      {nameOrSelector, "team-b", plainNs, db, false},
      {byService, "any", plainNs, web, true},
      {byService, "any", plainNs, db, false},
      {both, "team-a", plainNs, web, true},
      {both, "team-a", plainNs, db, false},
      {both, "team-b", plainNs, web, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.pool.admits(ServiceView{c.ns, c.nsLabels, c.labels}), c.expected) << c.ns;
  }
  EXPECT_FALSE(none.hasAllocationConstraints());
  EXPECT_FALSE(empty.hasAllocationConstraints());
  EXPECT_TRUE(byName.hasAllocationConstraints());
  Pool priorityOnly;
  priorityOnly.serviceAllocation = ServiceAllocation{10, {}, {}, {}};
  EXPECT_TRUE(priorityOnly.hasAllocationConstraints());

  // Selecting Services (what makes a pool preferred among equal priorities) takes namespaces or
  // selectors; a priority alone admits everyone.
  EXPECT_FALSE(none.selectsServices());
  EXPECT_FALSE(empty.selectsServices());
  EXPECT_FALSE(priorityOnly.selectsServices());
  EXPECT_TRUE(byName.selectsServices());
  EXPECT_TRUE(byNsSelector.selectsServices());
  EXPECT_TRUE(byService.selectsServices());
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
