#pragma once
// IntervalSet: disjoint [first, last] intervals of 128-bit numbers in ascending order, stored as
// a two-level B-tree-like layout: sorted blocks of at most kMaxBlock intervals, plus a flat array
// of each block's first key. A lookup is two binary searches over contiguous memory instead of
// ~log2(n) pointer hops through a red-black tree; with 100,000 intervals that is the difference
// between a handful of cache lines and ~17 cache misses per operation.
//
// Every mutation names intervals by their first key. Callers keep intervals disjoint and may
// move an interval's ends only where that keeps the order (RangeOccupancy does).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/net/u128.h"

namespace ironlb::allocator {

class IntervalSet {
 public:
  struct Interval {
    net::U128 first;
    net::U128 last;
  };

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  // Precondition: !empty().
  const Interval& front() const { return blocks_.front().front(); }

  // The last interval whose first <= value, or nullptr.
  const Interval* floor(net::U128 value) const;
  // The first interval whose first > value, or nullptr.
  const Interval* above(net::U128 value) const;

  // Precondition: disjoint from every interval in the set.
  void insert(const Interval& interval);
  // Precondition: an interval starts at `first`.
  void erase(net::U128 first);
  // Moves the ends of the interval starting at `first`; the new bounds must keep it disjoint
  // from its neighbours.
  void reshape(net::U128 first, const Interval& now);

  // Adds the point `value` (in no interval) with a single lookup. `joins(lo, hi)` (lo < hi) says
  // whether the gap strictly between lo and hi may be bridged, merging the point into the
  // interval ending at lo or starting at hi.
  template <class Joins>
  void addPoint(net::U128 value, Joins joins);

 private:
  static constexpr std::size_t kMaxBlock = 64;

  struct Position {
    std::size_t block;
    std::size_t index;
  };
  // Block that would hold `value` (the last block whose first key <= value, else block 0).
  std::size_t blockFor(net::U128 value) const;
  Position exact(net::U128 first) const;
  void refreshKey(std::size_t block) { keys_[block] = blocks_[block].front().first; }

  void insertAt(std::size_t block, std::size_t index, const Interval& interval);
  void eraseAt(std::size_t block, std::size_t index);

  std::vector<std::vector<Interval>> blocks_;  // non-empty, ascending, globally sorted
  std::vector<net::U128> keys_;                // first key of each block
  std::size_t size_ = 0;
};

template <class Joins>
void IntervalSet::addPoint(net::U128 value, Joins joins) {
  if (size_ == 0) {
    insertAt(0, 0, {value, value});
    return;
  }
  const std::size_t b = blockFor(value);
  auto& block = blocks_[b];
  std::size_t i = 0;  // first interval in the block starting above `value`
  for (std::size_t n = block.size(); n > 0;) {
    const std::size_t half = n / 2;
    if (block[i + half].first <= value) {
      i += half + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  Interval* prev = i > 0 ? &block[i - 1] : nullptr;
  const bool nextHere = i < block.size();
  Interval* next = nextHere ? &block[i] : b + 1 < blocks_.size() ? &blocks_[b + 1][0] : nullptr;
  const bool joinPrev = prev != nullptr && joins(prev->last, value);
  const bool joinNext = next != nullptr && joins(value, next->first);
  if (joinPrev && joinNext) {
    prev->last = next->last;
    eraseAt(nextHere ? b : b + 1, nextHere ? i : 0);
  } else if (joinPrev) {
    prev->last = value;
  } else if (joinNext) {
    next->first = value;
    if (!nextHere || i == 0) refreshKey(nextHere ? b : b + 1);
  } else {
    insertAt(b, i, {value, value});
  }
}

}  // namespace ironlb::allocator
