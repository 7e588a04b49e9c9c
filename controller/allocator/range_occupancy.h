#pragma once
// RangeOccupancy: which addresses of one pool range are in use, stored as maximal intervals of
// used addresses so memory grows with the number of assignments, never with the range size.
//
// With avoidBuggyIPs the skipped addresses are treated as if they were in use for merging: two
// used intervals separated only by skipped addresses (x.255, x+1.0) form one interval. Interval
// ends are always used addresses, and every gap between intervals contains a usable free address.
// So the first free usable address is either the first usable address of the range or the first
// usable one after the first interval: O(1), whatever the fragmentation. Insert and erase are
// O(log n) in the number of intervals (see IntervalSet for the cache-friendly layout).

#include <cstddef>
#include <optional>

#include "common/net/address_count.h"
#include "common/net/ip_range.h"
#include "controller/allocator/interval_set.h"

namespace ironlb::allocator {

class RangeOccupancy {
 public:
  RangeOccupancy(const net::IpRange& range, bool avoidBuggyIps);

  const net::IpRange& range() const { return range_; }
  bool avoidBuggyIps() const { return avoid_; }

  // Inside the range and not skipped by avoidBuggyIPs.
  bool usable(net::U128 value) const;
  bool used(net::U128 value) const;
  // The lowest usable address not in use, or nullopt when the range is full.
  std::optional<net::U128> firstFree() const;
  bool full() const { return !firstFree().has_value(); }

  // Precondition: usable(value) && !used(value).
  void insert(net::U128 value);
  // Precondition: used(value).
  void erase(net::U128 value);

  // Addresses the range offers (avoided ones excluded), exact.
  net::AddressCount usableCount() const;
  std::size_t intervalCount() const { return used_.size(); }

 private:
  bool avoided(net::U128 value) const;
  // Lowest usable address >= value; value must not pass the last usable address.
  net::U128 nextUsable(net::U128 value) const;
  // Every address in [lo, hi] is skipped (true for an empty span, lo == hi + 1).
  bool onlyAvoided(net::U128 lo, net::U128 hi) const;

  net::IpRange range_;
  bool avoid_;
  std::optional<net::U128> firstUsable_;  // nullopt when every address is avoided
  net::U128 lastUsable_ = 0;
  IntervalSet used_;
};

}  // namespace ironlb::allocator
