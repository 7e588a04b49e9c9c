#include "common/lbconfig/verdict.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

TEST(VerdictTest, ValidBuildIsValidWithNoError) {
  BuildResult result;
  result.config.emplace();
  const auto v = verdictOf(result);
  EXPECT_EQ(v.result, "Valid");
  EXPECT_EQ(v.lastError, "");
  EXPECT_EQ(v.errorSummary, "");
}

TEST(VerdictTest, InvalidBuildNamesTheFirstErrorAndCounts) {
  BuildResult result;
  result.errors = {{"IPAddressPool", "lb", "a", "spec.addresses[0]", "\"x\" is not an address"},
                   {"IPAddressPool", "lb", "a", "spec.addresses[1]", "\"y\" is not an address"},
                   {"L2Advertisement", "lb", "l2", "spec.ipAddressPools[0]", "no pool \"z\""}};
  const auto v = verdictOf(result);
  EXPECT_EQ(v.result, "Invalid");
  EXPECT_EQ(v.lastError, "IPAddressPool lb/a: spec.addresses[0]: \"x\" is not an address");
  EXPECT_EQ(v.errorSummary, "3 errors in 2 objects");
}

}  // namespace
}  // namespace ironlb::lbconfig
