#pragma once
// The one question of the packet path: "do I own this IP on this interface?" An open-addressing
// hash set the control path rebuilds whenever announcements change; lookups never allocate.

#include <cstddef>
#include <vector>

#include "common/net/ip_address.h"
#include "speaker/announcer/counters.h"

namespace ironlb::announcer {

struct Ownership {
  int ifindex = 0;
  net::IpAddress ip;
  IpCounters* counters = nullptr;  // into a CounterStore that outlives the table
};

class OwnershipTable {
 public:
  enum class Answer { kOwned, kWrongInterface, kNotOwned };

  // Control path: replaces the contents.
  void rebuild(const std::vector<Ownership>& entries);

  // Packet path. `counters` is set when the answer is kOwned.
  Answer lookup(int ifindex, const net::IpAddress& ip, IpCounters** counters) const;
  bool owns(int ifindex, const net::IpAddress& ip) const {
    IpCounters* unused = nullptr;
    return lookup(ifindex, ip, &unused) == Answer::kOwned;
  }
  std::size_t size() const { return size_; }

 private:
  static constexpr int kAnyInterface = -1;  // key marking "owned on some interface"
  struct Slot {
    int ifindex = 0;
    bool used = false;
    net::IpAddress ip;
    IpCounters* counters = nullptr;
  };
  const Slot* find(int ifindex, const net::IpAddress& ip) const;
  void insert(int ifindex, const net::IpAddress& ip, IpCounters* counters);

  std::vector<Slot> slots_;  // power-of-two size, at most half full
  std::size_t size_ = 0;
};

}  // namespace ironlb::announcer
