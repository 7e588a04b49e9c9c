// RangeOccupancy against a brute-force bitmap, plus the fragmentation cases that must stay
// cheap: avoided addresses bridged so the interval count stays proportional to real gaps.

#include "controller/allocator/range_occupancy.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "controller/allocator/avoided_ips.h"
#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using testing::poolRange;

std::optional<net::U128> bruteFirstFree(const net::IpRange& r, bool avoid,
                                        const std::vector<bool>& used) {
  const net::U128 first = r.first().value();
  for (std::size_t i = 0; i < used.size(); ++i) {
    const net::U128 v = first + i;
    if (!used[i] && !isAvoided(avoid, r.family(), v)) return v;
  }
  return std::nullopt;
}

struct Shape {
  const char* range;
  bool avoid;
};

class OccupancyModel : public ::testing::TestWithParam<Shape> {};

TEST_P(OccupancyModel, MatchesBitmapUnderRandomChurn) {
  const net::IpRange range = poolRange(GetParam().range).range;
  const bool avoid = GetParam().avoid;
  const auto size = static_cast<std::size_t>(range.size().value());
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    RangeOccupancy occ(range, avoid);
    std::vector<bool> used(size, false);
    for (int step = 0; step < 3000; ++step) {
      const std::size_t i = rng() % size;
      const net::U128 v = range.first().value() + i;
      if (isAvoided(avoid, range.family(), v)) {
        EXPECT_FALSE(occ.usable(v));
        continue;
      }
      ASSERT_EQ(occ.used(v), used[i]) << "seed " << seed << " step " << step;
      if (used[i]) {
        occ.erase(v);
      } else {
        occ.insert(v);
      }
      used[i] = !used[i];
      ASSERT_EQ(occ.firstFree(), bruteFirstFree(range, avoid, used))
          << "seed " << seed << " step " << step;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, OccupancyModel,
    ::testing::Values(Shape{"192.0.2.0/24", false}, Shape{"192.0.2.0/24", true},
                      Shape{"192.0.2.250-192.0.5.5", true}, Shape{"192.0.2.255-192.0.3.0", false},
                      Shape{"2001:db8::/120", true},
                      Shape{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", false},
                      Shape{"255.255.255.0/24", true}, Shape{"0.0.0.0/24", true}));

TEST(RangeOccupancyTest, AvoidedGapsAreBridged) {
  // Use every usable address of a /16 except the last: one interval, however many /24s.
  const net::IpRange range = poolRange("10.0.0.0/16").range;
  RangeOccupancy occ(range, true);
  const net::U128 base = range.first().value();
  for (net::U128 v = base; v < base + 65535; ++v) {
    if (occ.usable(v) && v != base + 65534) occ.insert(v);
  }
  EXPECT_EQ(occ.intervalCount(), 1u);
  EXPECT_EQ(occ.firstFree(), base + 65534);  // 10.0.255.254
  occ.insert(base + 65534);
  EXPECT_TRUE(occ.full());
  // Freeing one address in the middle splits once; firstFree finds it directly.
  occ.erase(base + 256 * 100 + 1);  // 10.0.100.1, just after an avoided pair
  EXPECT_EQ(occ.intervalCount(), 2u);
  EXPECT_EQ(occ.firstFree(), base + 256 * 100 + 1);
}

TEST(RangeOccupancyTest, WorstCaseFragmentationHasOneIntervalPerUsedRun) {
  // Every other address used: intervals == used addresses, and firstFree is still immediate.
  const net::IpRange range = poolRange("2001:db8::/112").range;
  RangeOccupancy occ(range, false);
  const net::U128 base = range.first().value();
  for (net::U128 i = 0; i < 20000; i += 2)
    occ.insert(base + i);
  EXPECT_EQ(occ.intervalCount(), 10000u);
  EXPECT_EQ(occ.firstFree(), base + 1);
  for (net::U128 i = 1; i < 20000; i += 2)
    occ.insert(base + i);
  EXPECT_EQ(occ.intervalCount(), 1u);
  EXPECT_EQ(occ.firstFree(), base + 20000);
}

TEST(RangeOccupancyTest, HugeRangesNeverMaterialise) {
  RangeOccupancy all6(poolRange("::/0").range, false);
  EXPECT_EQ(all6.usableCount(), net::AddressCount::all128());
  all6.insert(net::kU128Max);
  all6.insert(0);
  EXPECT_EQ(all6.firstFree(), net::U128{1});
  EXPECT_EQ(all6.intervalCount(), 2u);
  all6.erase(net::kU128Max);
  all6.erase(0);
  EXPECT_EQ(all6.intervalCount(), 0u);
}

TEST(RangeOccupancyTest, EntirelyAvoidedRangeIsFull) {
  RangeOccupancy r(poolRange("192.0.2.255-192.0.3.0").range, true);
  EXPECT_TRUE(r.full());
  EXPECT_TRUE(r.usableCount().isZero());
  EXPECT_FALSE(r.usable(poolRange("192.0.2.255/32").range.first().value()));
}

}  // namespace
}  // namespace ironlb::allocator
