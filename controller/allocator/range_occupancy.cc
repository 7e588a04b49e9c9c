#include "controller/allocator/range_occupancy.h"

#include <cassert>
#include <iterator>

#include "controller/allocator/avoided_ips.h"

namespace ironlb::allocator {

RangeOccupancy::RangeOccupancy(const net::IpRange& range, bool avoid_buggy_ips)
    : range_(range), avoid_(avoid_buggy_ips && range.family() == net::Family::kV4) {
  const net::U128 first = range_.first().value();
  const net::U128 last = range_.last().value();
  // At most two consecutive addresses are avoided (x.255, x+1.0), so both ends are found within
  // three steps.
  for (net::U128 v = first; v <= last && v <= first + 2; ++v) {
    if (!avoided(v)) {
      first_usable_ = v;
      break;
    }
  }
  if (!first_usable_) return;
  net::U128 v = last;
  while (avoided(v))
    --v;  // stops at first_usable_ at the latest
  last_usable_ = v;
}

bool RangeOccupancy::avoided(net::U128 value) const {
  return isAvoided(avoid_, range_.family(), value);
}

bool RangeOccupancy::usable(net::U128 value) const {
  return range_.first().value() <= value && value <= range_.last().value() && !avoided(value);
}

net::U128 RangeOccupancy::nextUsable(net::U128 value) const {
  while (avoided(value))
    ++value;
  return value;
}

bool RangeOccupancy::onlyAvoided(net::U128 lo, net::U128 hi) const {
  if (lo > hi) return true;
  if (!avoid_ || hi - lo >= 2) return false;
  for (net::U128 v = lo;; ++v) {
    if (!avoided(v)) return false;
    if (v == hi) return true;
  }
}

bool RangeOccupancy::used(net::U128 value) const {
  auto it = used_.upper_bound(value);
  if (it == used_.begin()) return false;
  --it;
  return value <= it->second && !avoided(value);
}

std::optional<net::U128> RangeOccupancy::firstFree() const {
  if (!first_usable_) return std::nullopt;
  // Intervals start at used (so usable) addresses: only the first can contain first_usable_.
  if (used_.empty() || used_.begin()->first != *first_usable_) return first_usable_;
  const net::U128 end = used_.begin()->second;
  if (end == last_usable_) return std::nullopt;
  // Maximality: the next usable address after a maximal interval is free.
  return nextUsable(end + 1);
}

void RangeOccupancy::insert(net::U128 value) {
  assert(usable(value) && !used(value));
  auto next = used_.upper_bound(value);
  const bool has_prev = next != used_.begin();
  auto prev = has_prev ? std::prev(next) : next;
  const bool join_prev = has_prev && onlyAvoided(prev->second + 1, value - 1);
  const bool join_next = next != used_.end() && onlyAvoided(value + 1, next->first - 1);
  if (join_prev && join_next) {
    prev->second = next->second;
    used_.erase(next);
  } else if (join_prev) {
    prev->second = value;
  } else if (join_next) {
    const net::U128 end = next->second;
    auto hint = used_.erase(next);
    used_.emplace_hint(hint, value, end);
  } else {
    used_.emplace_hint(next, value, value);
  }
}

void RangeOccupancy::erase(net::U128 value) {
  auto it = std::prev(used_.upper_bound(value));
  assert(it->first <= value && value <= it->second);
  const net::U128 first = it->first;
  const net::U128 last = it->second;
  auto hint = used_.erase(it);
  // Trim the pieces so both ends are used addresses again; interval ends are never avoided, so
  // trimming stops inside each piece.
  if (value < last) {
    net::U128 right = value + 1;
    while (avoided(right))
      ++right;
    hint = used_.emplace_hint(hint, right, last);
  }
  if (first < value) {
    net::U128 left = value - 1;
    while (avoided(left))
      --left;
    used_.emplace_hint(hint, first, left);
  }
}

net::AddressCount RangeOccupancy::usableCount() const {
  net::AddressCount count = range_.size();
  if (avoid_) {
    count -= net::AddressCount(countAvoidedV4(static_cast<uint32_t>(range_.first().value()),
                                              static_cast<uint32_t>(range_.last().value())));
  }
  return count;
}

}  // namespace ironlb::allocator
