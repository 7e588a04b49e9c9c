#include "common/net/address_count.h"

#include <gtest/gtest.h>

#include <limits>

namespace ironlb::net {
namespace {

TEST(AddressCountTest, ExactUpToTwoPow128) {
  AddressCount half(U128{1} << 127);
  AddressCount sum = half + half;
  EXPECT_TRUE(sum.isAll128());
  EXPECT_EQ(sum, AddressCount::all128());
  EXPECT_EQ(sum.toString(), "340282366920938463463374607431768211456");
  EXPECT_EQ((sum - half).toString(), "170141183460469231731687303715884105728");
  EXPECT_EQ((sum - AddressCount(1)).value(), kU128Max);
  EXPECT_TRUE((sum - sum).isZero());
  EXPECT_EQ(AddressCount::inclusive(0, kU128Max), sum);
  EXPECT_EQ(AddressCount::inclusive(5, 5).toString(), "1");
}

TEST(AddressCountTest, Int64SaturatesLikeMetalLB) {
  EXPECT_EQ(AddressCount(U128{12345}).toInt64Saturated(), 12345);
  EXPECT_EQ(AddressCount(U128{1} << 64).toInt64Saturated(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(AddressCount::all128().toInt64Saturated(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(AddressCount(U128{1} << 64).toString(), "18446744073709551616");
  EXPECT_DOUBLE_EQ(AddressCount(U128{1} << 64).toDouble(), 18446744073709551616.0);
}

TEST(AddressCountTest, Orders) {
  EXPECT_LT(AddressCount(kU128Max), AddressCount::all128());
  EXPECT_LT(AddressCount(1), AddressCount(2));
  EXPECT_EQ(AddressCount(7), AddressCount(7));
}

}  // namespace
}  // namespace ironlb::net
