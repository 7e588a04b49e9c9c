#include "controller/allocator/address_space.h"

#include <cassert>

namespace ironlb::allocator {

AddressSpace::AddressSpace(PoolSet pools) : pools_(std::move(pools)) {
  ranges_.reserve(pools_.rangeCount());
  usage_.resize(pools_.pools().size());
  for (uint32_t id = 0; id < pools_.rangeCount(); ++id) {
    const RangeSlot& slot = pools_.slot(id);
    const lbconfig::Pool& pool = pools_.pool(slot.pool);
    ranges_.emplace_back(pools_.range(id), pool.avoidBuggyIps);
    const RangeOccupancy& r = ranges_.back();
    PoolUsage& u = usage_[slot.pool];
    const std::size_t f = familySlot(r.range().family());
    u.total[f] += r.usableCount();
    if (!r.full()) u.open[f].insert(slot.position);
  }
}

std::optional<AddressSpace::Free> AddressSpace::firstFree(uint32_t pool, net::Family family) const {
  const std::set<uint32_t>& open = usage_[pool].open[familySlot(family)];
  if (open.empty()) return std::nullopt;
  const uint32_t position = *open.begin();
  const auto value = ranges_[pools_.rangeId(pool, position)].firstFree();
  assert(value.has_value());
  return Free{net::IpAddress::fromValue(family, *value), position};
}

void AddressSpace::take(uint32_t rangeId, const net::IpAddress& ip) {
  RangeOccupancy& r = ranges_[rangeId];
  r.insert(ip.value());
  const RangeSlot& slot = pools_.slot(rangeId);
  PoolUsage& u = usage_[slot.pool];
  const std::size_t f = familySlot(ip.family());
  ++u.assigned[f];
  if (r.full()) u.open[f].erase(slot.position);
}

void AddressSpace::giveBack(uint32_t rangeId, const net::IpAddress& ip) {
  RangeOccupancy& r = ranges_[rangeId];
  const bool wasFull = r.full();
  r.erase(ip.value());
  const RangeSlot& slot = pools_.slot(rangeId);
  PoolUsage& u = usage_[slot.pool];
  const std::size_t f = familySlot(ip.family());
  --u.assigned[f];
  if (wasFull) u.open[f].insert(slot.position);
}

PoolCounters AddressSpace::counters(uint32_t pool) const {
  const PoolUsage& u = usage_[pool];
  return PoolCounters{
      FamilyCounters{u.total[0], net::AddressCount(u.assigned[0])},
      FamilyCounters{u.total[1], net::AddressCount(u.assigned[1])},
  };
}

}  // namespace ironlb::allocator
