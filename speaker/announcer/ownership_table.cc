// Linear probing over a power-of-two array kept at most half full, so probes stay short and
// always terminate at an empty slot.
#include "speaker/announcer/ownership_table.h"

namespace ironlb::announcer {
namespace {

std::size_t hashKey(int ifindex, const net::IpAddress& ip) {
  return net::IpAddressHash{}(ip) ^ (static_cast<std::size_t>(ifindex) * 0x9e3779b97f4a7c15ull);
}

}  // namespace

void OwnershipTable::rebuild(const std::vector<Ownership>& entries) {
  std::size_t capacity = 8;
  while (capacity < entries.size() * 4)  // entries + "any interface" keys, half full
    capacity *= 2;
  slots_.assign(capacity, Slot{});
  size_ = 0;
  for (const auto& e : entries) {
    if (find(e.ifindex, e.ip) != nullptr) continue;
    insert(e.ifindex, e.ip, e.counters);
    ++size_;
    if (find(kAnyInterface, e.ip) == nullptr) insert(kAnyInterface, e.ip, nullptr);
  }
}

void OwnershipTable::insert(int ifindex, const net::IpAddress& ip, IpCounters* counters) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hashKey(ifindex, ip) & mask;; i = (i + 1) & mask) {
    if (!slots_[i].used) {
      slots_[i] = Slot{ifindex, true, ip, counters};
      return;
    }
  }
}

const OwnershipTable::Slot* OwnershipTable::find(int ifindex, const net::IpAddress& ip) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hashKey(ifindex, ip) & mask, n = 0; n < slots_.size();
       i = (i + 1) & mask, ++n) {
    const Slot& s = slots_[i];
    if (!s.used) return nullptr;
    if (s.ifindex == ifindex && s.ip == ip) return &s;
  }
  return nullptr;
}

OwnershipTable::Answer OwnershipTable::lookup(int ifindex, const net::IpAddress& ip,
                                              IpCounters** counters) const {
  if (const Slot* s = find(ifindex, ip)) {
    *counters = s->counters;
    return Answer::kOwned;
  }
  return find(kAnyInterface, ip) != nullptr ? Answer::kWrongInterface : Answer::kNotOwned;
}

}  // namespace ironlb::announcer
