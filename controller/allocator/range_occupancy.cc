#include "controller/allocator/range_occupancy.h"

#include <cassert>

#include "controller/allocator/avoided_ips.h"

namespace ironlb::allocator {

RangeOccupancy::RangeOccupancy(const net::IpRange& range, bool avoidBuggyIps)
    : range_(range), avoid_(avoidBuggyIps && range.family() == net::Family::kV4) {
  const net::U128 first = range_.first().value();
  const net::U128 last = range_.last().value();
  // At most two consecutive addresses are avoided (x.255, x+1.0), so both ends are found within
  // three steps.
  for (net::U128 v = first; v <= last && v <= first + 2; ++v) {
    if (!avoided(v)) {
      firstUsable_ = v;
      break;
    }
  }
  if (!firstUsable_) return;
  net::U128 v = last;
  while (avoided(v))
    --v;  // stops at firstUsable_ at the latest
  lastUsable_ = v;
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
  const IntervalSet::Interval* i = used_.floor(value);
  return i != nullptr && value <= i->last && !avoided(value);
}

std::optional<net::U128> RangeOccupancy::firstFree() const {
  if (!firstUsable_) return std::nullopt;
  // Intervals start at used (so usable) addresses: only the first can contain firstUsable_.
  if (used_.empty() || used_.front().first != *firstUsable_) return firstUsable_;
  const net::U128 end = used_.front().last;
  if (end == lastUsable_) return std::nullopt;
  // Maximality: the next usable address after a maximal interval is free.
  return nextUsable(end + 1);
}

void RangeOccupancy::insert(net::U128 value) {
  assert(usable(value) && !used(value));
  used_.addPoint(value, [this](net::U128 lo, net::U128 hi) { return onlyAvoided(lo + 1, hi - 1); });
}

void RangeOccupancy::erase(net::U128 value) {
  const IntervalSet::Interval* it = used_.floor(value);
  assert(it != nullptr && it->first <= value && value <= it->last);
  const net::U128 first = it->first;
  const net::U128 last = it->last;
  // Trim the pieces so both ends are used addresses again; interval ends are never avoided, so
  // trimming stops inside each piece.
  net::U128 right = value + 1;
  if (value < last) {
    while (avoided(right))
      ++right;
  }
  if (first < value) {
    net::U128 left = value - 1;
    while (avoided(left))
      --left;
    used_.reshape(first, {first, left});
    if (value < last) used_.insert({right, last});
  } else if (value < last) {
    used_.reshape(first, {right, last});  // still between the same neighbours
  } else {
    used_.erase(first);
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
