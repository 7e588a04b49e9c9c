// IntervalSet against std::map under random inserts, erases and reshapes, with enough intervals
// to split and merge many blocks.

#include "controller/allocator/interval_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <vector>

namespace ironlb::allocator {
namespace {

using Map = std::map<net::U128, net::U128>;

void expectSame(const IntervalSet& set, const Map& model, net::U128 probe) {
  ASSERT_EQ(set.size(), model.size());
  if (model.empty()) return;
  EXPECT_EQ(set.front().first, model.begin()->first);
  const auto* f = set.floor(probe);
  auto it = model.upper_bound(probe);
  if (it == model.begin()) {
    EXPECT_EQ(f, nullptr);
  } else {
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->first, std::prev(it)->first);
    EXPECT_EQ(f->last, std::prev(it)->second);
  }
  const auto* a = set.above(probe);
  if (it == model.end()) {
    EXPECT_EQ(a, nullptr);
  } else {
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->first, it->first);
  }
}

TEST(IntervalSetTest, MatchesOrderedMap) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    std::mt19937_64 rng(seed);
    IntervalSet set;
    Map model;
    // Keys are multiples of 4 so each interval [k, k+1] or [k, k+2] stays disjoint.
    for (int step = 0; step < 40000; ++step) {
      const net::U128 key = (rng() % 20000) * 4 + (net::U128{1} << 100);
      const int op = static_cast<int>(rng() % 10);
      auto found = model.find(key);
      if (found == model.end() && op < 6) {
        set.insert({key, key + 1});
        model.emplace(key, key + 1);
      } else if (found != model.end() && op < 8) {
        set.erase(key);
        model.erase(found);
      } else if (found != model.end()) {
        const net::U128 last = found->second == key + 1 ? key + 2 : key + 1;
        set.reshape(key, {key, last});
        found->second = last;
      }
      expectSame(set, model, (rng() % 80004) + (net::U128{1} << 100) - 2);
      if (::testing::Test::HasFailure()) return;
    }
    // Drain everything in random order.
    std::vector<net::U128> keys;
    for (const auto& [k, v] : model)
      keys.push_back(k);
    std::shuffle(keys.begin(), keys.end(), rng);
    for (const auto k : keys) {
      set.erase(k);
      model.erase(k);
      expectSame(set, model, k);
    }
    EXPECT_TRUE(set.empty());
  }
}

TEST(IntervalSetTest, ReshapeMovesFirstKey) {
  IntervalSet set;
  for (net::U128 k = 0; k < 1000; k += 10)
    set.insert({k, k + 1});
  set.reshape(500, {495, 505});
  EXPECT_EQ(set.floor(497)->first, 495u);
  EXPECT_EQ(set.floor(494)->first, 490u);
  EXPECT_EQ(set.above(494)->first, 495u);
  set.reshape(0, {0, 5});
  EXPECT_EQ(set.front().last, 5u);
}

}  // namespace
}  // namespace ironlb::allocator
