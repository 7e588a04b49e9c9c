#include "common/lbconfig/issue_tracker.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

Issue issue(const char* name, const char* message) {
  return {"IPAddressPool", "metallb-system", name, "", message};
}

TEST(ConfigIssueTrackerTest, ReportsEachFindingOncePerChange) {
  ConfigIssueTracker t;
  BuildResult warn;
  warn.config.emplace();
  warn.warnings = {issue("a", "not advertised")};
  IssueReport r = t.update(warn);
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.newWarnings.size(), 1u);
  r = t.update(warn);
  EXPECT_TRUE(r.newWarnings.empty()) << "same warning on the next build: already reported";

  BuildResult bad;
  bad.errors = {issue("b", "overlaps"), issue("c", "no addresses")};
  bad.warnings = warn.warnings;
  r = t.update(bad);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.errors, 2u);
  EXPECT_EQ(r.newErrors.size(), 2u);
  EXPECT_TRUE(r.newWarnings.empty());
  bad.errors.pop_back();
  r = t.update(bad);
  EXPECT_TRUE(r.newErrors.empty()) << "a remaining error is not news";
  EXPECT_EQ(r.errors, 1u);

  BuildResult good;
  good.config.emplace();
  r = t.update(good);
  EXPECT_TRUE(r.recovered);
  r = t.update(warn);
  EXPECT_FALSE(r.recovered);
  EXPECT_EQ(r.newWarnings.size(), 1u) << "gone and back: reported again";
}

}  // namespace
}  // namespace ironlb::lbconfig
