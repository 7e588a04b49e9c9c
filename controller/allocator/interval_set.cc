#include "controller/allocator/interval_set.h"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace ironlb::allocator {
namespace {

using Interval = IntervalSet::Interval;

bool firstBelow(const Interval& i, net::U128 value) {
  return i.first < value;
}
bool valueBelowFirst(net::U128 value, const Interval& i) {
  return value < i.first;
}

}  // namespace

std::size_t IntervalSet::blockFor(net::U128 value) const {
  const auto it = std::upper_bound(keys_.begin(), keys_.end(), value);
  return it == keys_.begin() ? 0 : static_cast<std::size_t>(std::prev(it) - keys_.begin());
}

IntervalSet::Position IntervalSet::exact(net::U128 first) const {
  const std::size_t b = blockFor(first);
  const auto& block = blocks_[b];
  const auto it = std::lower_bound(block.begin(), block.end(), first, firstBelow);
  assert(it != block.end() && it->first == first);
  return {b, static_cast<std::size_t>(it - block.begin())};
}

const IntervalSet::Interval* IntervalSet::floor(net::U128 value) const {
  if (size_ == 0 || value < keys_.front()) return nullptr;
  const auto& block = blocks_[blockFor(value)];
  const auto it = std::upper_bound(block.begin(), block.end(), value, valueBelowFirst);
  return &*std::prev(it);  // the block's first key is <= value
}

const IntervalSet::Interval* IntervalSet::above(net::U128 value) const {
  if (size_ == 0) return nullptr;
  const std::size_t b = blockFor(value);
  const auto& block = blocks_[b];
  const auto it = std::upper_bound(block.begin(), block.end(), value, valueBelowFirst);
  if (it != block.end()) return &*it;
  return b + 1 < blocks_.size() ? &blocks_[b + 1].front() : nullptr;
}

void IntervalSet::insert(const Interval& interval) {
  if (size_ == 0) {
    insertAt(0, 0, interval);
    return;
  }
  const std::size_t b = blockFor(interval.first);
  const auto& block = blocks_[b];
  const auto it = std::upper_bound(block.begin(), block.end(), interval.first, valueBelowFirst);
  insertAt(b, static_cast<std::size_t>(it - block.begin()), interval);
}

void IntervalSet::insertAt(std::size_t b, std::size_t index, const Interval& interval) {
  ++size_;
  if (blocks_.empty()) {
    blocks_.push_back({interval});
    keys_.push_back(interval.first);
    return;
  }
  auto& block = blocks_[b];
  block.insert(block.begin() + static_cast<std::ptrdiff_t>(index), interval);
  refreshKey(b);
  if (block.size() <= kMaxBlock) return;
  // Split the full block in two halves; the upper half becomes a new block after it.
  std::vector<Interval> upper(block.begin() + kMaxBlock / 2, block.end());
  block.resize(kMaxBlock / 2);
  const net::U128 key = upper.front().first;
  blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(upper));
  keys_.insert(keys_.begin() + static_cast<std::ptrdiff_t>(b) + 1, key);
}

void IntervalSet::erase(net::U128 first) {
  const Position p = exact(first);
  eraseAt(p.block, p.index);
}

void IntervalSet::eraseAt(std::size_t b, std::size_t index) {
  auto& block = blocks_[b];
  block.erase(block.begin() + static_cast<std::ptrdiff_t>(index));
  --size_;
  if (block.empty()) {
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
    keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(b));
    return;
  }
  refreshKey(b);
  // Merge a small block into its successor's room so blocks stay reasonably full.
  if (block.size() < kMaxBlock / 4 && b + 1 < blocks_.size() &&
      block.size() + blocks_[b + 1].size() <= kMaxBlock) {
    auto& next = blocks_[b + 1];
    block.insert(block.end(), next.begin(), next.end());
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1);
    keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(b) + 1);
  }
}

void IntervalSet::reshape(net::U128 first, const Interval& now) {
  const Position p = exact(first);
  blocks_[p.block][p.index] = now;
  if (p.index == 0) refreshKey(p.block);
}

}  // namespace ironlb::allocator
