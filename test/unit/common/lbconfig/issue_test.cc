#include "common/lbconfig/issue.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

TEST(IssueTest, FormatsObjectPathAndMessage) {
  EXPECT_EQ((Issue{"IPAddressPool", "metallb-system", "a", "spec.addresses[3]", "bad"}).toString(),
            "IPAddressPool metallb-system/a: spec.addresses[3]: bad");
  EXPECT_EQ((Issue{"IPAddressPool", "metallb-system", "a", "", "whole"}).toString(),
            "IPAddressPool metallb-system/a: whole");
}

TEST(IssueTest, SortsByObjectKeepingFindingOrder) {
  std::vector<Issue> errors;
  std::vector<Issue> warnings;
  IssueSink b("IPAddressPool", "ns", "b", errors, warnings);
  IssueSink a("IPAddressPool", "ns", "a", errors, warnings);
  IssueSink l2("L2Advertisement", "ns", "a", errors, warnings);
  l2.error("spec", "l2");
  b.error("spec.addresses[2]", "b2");
  a.error("spec.addresses[10]", "a10");
  b.error("spec.addresses[1]", "b1");
  a.error("spec.addresses[2]", "a2");
  a.warning("", "w");
  EXPECT_EQ(a.errorCount(), 2u);
  sortIssues(errors);
  std::vector<std::string> order;
  for (const auto& e : errors)
    order.push_back(e.message);
  EXPECT_EQ(order, (std::vector<std::string>{"a10", "a2", "b2", "b1", "l2"}));
  EXPECT_EQ(warnings.size(), 1u);
}

}  // namespace
}  // namespace ironlb::lbconfig
