#pragma once
// AddressSpace: the pools plus which of their addresses are in use. Answers "first free usable
// address of family F in pool P, in spec order" in O(log ranges) through a per-pool, per-family
// ordered set of the ranges that still have a free address, and keeps exact counters.
// It knows nothing about Services or sharing: an address is either free or taken.

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "common/net/ip_address.h"
#include "controller/allocator/allocation.h"
#include "controller/allocator/pool_set.h"
#include "controller/allocator/range_occupancy.h"

namespace ironlb::allocator {

class AddressSpace {
 public:
  AddressSpace() = default;
  explicit AddressSpace(PoolSet pools);

  const PoolSet& pools() const { return pools_; }
  const RangeOccupancy& range(uint32_t rangeId) const { return ranges_[rangeId]; }

  struct Free {
    net::IpAddress ip;
    uint32_t position;  // of the range in its pool's spec order
  };
  // The first free usable address of `family` in `pool`: ranges in spec order, then ascending.
  std::optional<Free> firstFree(uint32_t pool, net::Family family) const;

  // Precondition: range(rangeId).usable(ip) and not used.
  void take(uint32_t rangeId, const net::IpAddress& ip);
  // Precondition: range(rangeId).used(ip).
  void giveBack(uint32_t rangeId, const net::IpAddress& ip);

  PoolCounters counters(uint32_t pool) const;

 private:
  static std::size_t familySlot(net::Family family) { return family == net::Family::kV4 ? 0 : 1; }

  struct PoolUsage {
    std::array<std::set<uint32_t>, 2> open;  // positions of ranges with a free address
    std::array<net::AddressCount, 2> total;
    std::array<uint64_t, 2> assigned{};
  };

  PoolSet pools_;
  std::vector<RangeOccupancy> ranges_;  // by range id
  std::vector<PoolUsage> usage_;        // by pool index
};

}  // namespace ironlb::allocator
