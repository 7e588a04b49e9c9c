#include "controller/allocator/pool_set.h"

#include <algorithm>
#include <string>
#include <tuple>

namespace ironlb::allocator {

Result<PoolSet> PoolSet::build(std::vector<lbconfig::Pool> pools) {
  PoolSet set;
  set.pools_ = std::move(pools);
  const auto count = static_cast<uint32_t>(set.pools_.size());
  for (uint32_t p = 0; p < count; ++p) {
    const lbconfig::Pool& pool = set.pools_[p];
    if (pool.name.empty()) return Error{"an IPAddressPool has an empty name"};
    set.byName_.push_back(p);
    set.firstRange_.push_back(static_cast<uint32_t>(set.slots_.size()));
    for (uint32_t pos = 0; pos < pool.ranges.size(); ++pos) {
      const auto id = static_cast<uint32_t>(set.slots_.size());
      set.slots_.push_back({p, pos});
      set.sorted_.push_back({pool.ranges[pos].range.first(), pool.ranges[pos].range.last(), id});
    }
  }
  const auto& all = set.pools_;
  const auto byName = [&](uint32_t a, uint32_t b) { return all[a].name < all[b].name; };
  std::sort(set.byName_.begin(), set.byName_.end(), byName);
  for (std::size_t i = 1; i < set.byName_.size(); ++i) {
    if (all[set.byName_[i]].name == all[set.byName_[i - 1]].name) {
      return Error{"two IPAddressPools are named \"" + all[set.byName_[i]].name + "\""};
    }
  }
  std::sort(set.sorted_.begin(), set.sorted_.end(),
            [](const SortedRange& a, const SortedRange& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < set.sorted_.size(); ++i) {
    const SortedRange& a = set.sorted_[i - 1];
    const SortedRange& b = set.sorted_[i];
    if (a.first.family() == b.first.family() && b.first <= a.last) {
      const auto text = [&](uint32_t id) {
        const RangeSlot& s = set.slots_[id];
        return "\"" + set.pools_[s.pool].ranges[s.position].text + "\" of pool \"" +
               set.pools_[s.pool].name + "\"";
      };
      return Error{"address ranges overlap: " + text(a.id) + " and " + text(b.id)};
    }
  }

  for (uint32_t p = 0; p < count; ++p) {
    const lbconfig::Pool& pool = set.pools_[p];
    if (!pool.autoAssign || pool.deleting) continue;
    (pool.hasAllocationConstraints() ? set.constrainedAuto_ : set.openAuto_).push_back(p);
  }
  // A pool that selects Services (namespaces or selectors) and is tried at all admits the
  // Service, so "selects the Service before matches everything" is a fixed order.
  const auto key = [&](uint32_t p) {
    const int priority = all[p].serviceAllocation->priority;
    return std::make_tuple(priority == 0, priority, !all[p].selectsServices(),
                           std::string_view(all[p].name));
  };
  std::sort(set.constrainedAuto_.begin(), set.constrainedAuto_.end(),
            [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  std::sort(set.openAuto_.begin(), set.openAuto_.end(), byName);
  return set;
}

std::optional<uint32_t> PoolSet::poolIndex(std::string_view name) const {
  auto it = std::lower_bound(byName_.begin(), byName_.end(), name,
                             [&](uint32_t p, std::string_view n) { return pools_[p].name < n; });
  if (it == byName_.end() || pools_[*it].name != name) return std::nullopt;
  return *it;
}

std::optional<uint32_t> PoolSet::locate(const net::IpAddress& ip) const {
  // Last range whose first address is <= ip.
  auto it =
      std::upper_bound(sorted_.begin(), sorted_.end(), ip,
                       [](const net::IpAddress& a, const SortedRange& r) { return a < r.first; });
  if (it == sorted_.begin()) return std::nullopt;
  --it;
  if (it->first.family() != ip.family() || it->last < ip) return std::nullopt;
  return it->id;
}

}  // namespace ironlb::allocator
