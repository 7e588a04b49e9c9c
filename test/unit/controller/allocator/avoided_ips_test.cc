// countAvoidedV4 against counting one by one.

#include "controller/allocator/avoided_ips.h"

#include <gtest/gtest.h>

#include <random>

namespace ironlb::allocator {
namespace {

uint64_t bruteCount(uint32_t first, uint32_t last) {
  uint64_t n = 0;
  for (uint64_t v = first; v <= last; ++v)
    n += isAvoided(true, net::Family::kV4, v) ? 1 : 0;
  return n;
}

TEST(AvoidedIpsTest, ClosedFormMatchesCounting) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const uint32_t first = rng();
    const uint32_t span = rng() % 5000;
    const uint32_t last = first > UINT32_MAX - span ? UINT32_MAX : first + span;
    ASSERT_EQ(countAvoidedV4(first, last), bruteCount(first, last)) << first << "-" << last;
  }
}

TEST(AvoidedIpsTest, Edges) {
  EXPECT_EQ(countAvoidedV4(0, 0), 1u);
  EXPECT_EQ(countAvoidedV4(1, 254), 0u);
  EXPECT_EQ(countAvoidedV4(255, 256), 2u);
  EXPECT_EQ(countAvoidedV4(0, UINT32_MAX), 2u * 16777216u);
  EXPECT_EQ(countAvoidedV4(UINT32_MAX, UINT32_MAX), 1u);
}

TEST(AvoidedIpsTest, OnlyIpv4AndOnlyWhenEnabled) {
  EXPECT_TRUE(isAvoided(true, net::Family::kV4, 0x0a0000ffu));
  EXPECT_FALSE(isAvoided(false, net::Family::kV4, 0x0a0000ffu));
  EXPECT_FALSE(isAvoided(true, net::Family::kV6, 0xffu));
}

}  // namespace
}  // namespace ironlb::allocator
