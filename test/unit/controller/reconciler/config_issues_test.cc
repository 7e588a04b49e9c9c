// ConfigIssueTracker and poolStatus.
#include "controller/reconciler/config_issues.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/net/address_count.h"
#include "controller/reconciler/pool_status.h"

namespace ironlb::reconciler {
namespace {

lbconfig::Issue issue(const char* name, const char* message) {
  return {"IPAddressPool", "metallb-system", name, "", message};
}

TEST(ConfigIssueTrackerTest, ReportsEachFindingOncePerChange) {
  ConfigIssueTracker t;
  lbconfig::BuildResult warn;
  warn.config.emplace();
  warn.warnings = {issue("a", "not advertised")};
  IssueReport r = t.update(warn);
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.new_warnings.size(), 1u);
  r = t.update(warn);
  EXPECT_TRUE(r.new_warnings.empty()) << "same warning on the next build: already reported";

  lbconfig::BuildResult bad;
  bad.errors = {issue("b", "overlaps"), issue("c", "no addresses")};
  bad.warnings = warn.warnings;
  r = t.update(bad);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.errors, 2u);
  EXPECT_EQ(r.new_errors.size(), 2u);
  EXPECT_TRUE(r.new_warnings.empty());
  bad.errors.pop_back();
  r = t.update(bad);
  EXPECT_TRUE(r.new_errors.empty()) << "a remaining error is not news";
  EXPECT_EQ(r.errors, 1u);

  lbconfig::BuildResult good;
  good.config.emplace();
  r = t.update(good);
  EXPECT_TRUE(r.recovered);
  r = t.update(warn);
  EXPECT_FALSE(r.recovered);
  EXPECT_EQ(r.new_warnings.size(), 1u) << "gone and back: reported again";
}

TEST(PoolStatusTest, CountsAndSaturation) {
  allocator::PoolCounters c;
  c.v4.total = net::AddressCount(16);
  c.v4.assigned = net::AddressCount(3);
  c.v6.total = net::AddressCount::all128();
  c.v6.assigned = net::AddressCount(2);
  const api::IPAddressPoolStatus s = poolStatus(c);
  EXPECT_EQ(s.assigned_ipv4, 3);
  EXPECT_EQ(s.available_ipv4, 13);
  EXPECT_EQ(s.assigned_ipv6, 2);
  EXPECT_EQ(s.available_ipv6, std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace ironlb::reconciler
