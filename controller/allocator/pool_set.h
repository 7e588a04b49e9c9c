#pragma once
// PoolSet: the pools the allocator serves, checked for what allocation relies on (unique names,
// no address in two ranges) and indexed: IP -> range by binary search over all ranges, pool by
// name, and the fixed order in which automatic allocation tries pools.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/lbconfig/pool.h"
#include "common/net/ip_address.h"
#include "common/util/result.h"

namespace ironlb::allocator {

// Ranges are numbered globally: a pool's ranges have consecutive ids in spec order.
struct RangeSlot {
  uint32_t pool = 0;
  uint32_t position = 0;  // index in the pool's ranges (spec order)
};

class PoolSet {
 public:
  PoolSet() = default;
  // Fails, naming the pools, on a duplicate or empty name or on overlapping ranges (the config
  // builder rejects those too; the allocator relies on it, so it checks rather than trusts).
  static Result<PoolSet> build(std::vector<lbconfig::Pool> pools);

  const std::vector<lbconfig::Pool>& pools() const { return pools_; }
  const lbconfig::Pool& pool(uint32_t index) const { return pools_[index]; }
  std::optional<uint32_t> poolIndex(std::string_view name) const;

  std::size_t rangeCount() const { return slots_.size(); }
  const RangeSlot& slot(uint32_t rangeId) const { return slots_[rangeId]; }
  uint32_t rangeId(uint32_t pool, uint32_t position) const { return firstRange_[pool] + position; }
  const net::IpRange& range(uint32_t rangeId) const {
    const RangeSlot& s = slots_[rangeId];
    return pools_[s.pool].ranges[s.position].range;
  }
  // The range holding `ip`, O(log ranges).
  std::optional<uint32_t> locate(const net::IpAddress& ip) const;

  // Automatic allocation order (docs/allocation-rules.md). First: autoAssign pools whose
  // serviceAllocation says something, by priority (lower first, 0 = unset after every set
  // priority); among equal priorities the pools that select Services (namespaces,
  // namespaceSelectors or serviceSelectors) before those with only a priority, as MetalLB prefers
  // the pools whose serviceAllocation matches the Service; then name. MetalLB walks the remaining
  // ties in random map order; ironlb is deterministic.
  const std::vector<uint32_t>& constrainedAutoPools() const { return constrainedAuto_; }
  // Then: the other autoAssign pools (no serviceAllocation, or an empty one), by name.
  const std::vector<uint32_t>& openAutoPools() const { return openAuto_; }

 private:
  struct SortedRange {
    net::IpAddress first;
    net::IpAddress last;
    uint32_t id;
  };

  std::vector<lbconfig::Pool> pools_;
  std::vector<uint32_t> firstRange_;  // per pool
  std::vector<RangeSlot> slots_;      // per range id
  std::vector<SortedRange> sorted_;   // by first address
  std::vector<uint32_t> byName_;      // pool indices sorted by name
  std::vector<uint32_t> constrainedAuto_;
  std::vector<uint32_t> openAuto_;
};

}  // namespace ironlb::allocator
