#pragma once
// HoldBack: addresses a Service gave up because of an edit (its own, or of a pool), kept from
// every other Service for a grace period so that undoing the edit gives the same address back
// (docs/allocation.md, "Held-back addresses"). Pure: the time is passed in.
//
// A held address stays taken in the allocator's address space (it is neither free nor anyone's
// assignment), so first-free searches skip it at no cost. Only the Service it was taken from
// may take it again, and only until the hold expires; then it is free for everyone.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/net/ip_address.h"
#include "common/util/clock.h"

namespace ironlb::allocator {

class HoldBack {
 public:
  struct Entry {
    std::string service;  // "namespace/name" of the Service the address was taken from
    util::MonoTime until;
    uint64_t order = 0;  // later holds have larger numbers (the latest wins on a take-back)
  };

  void hold(const net::IpAddress& ip, std::string service, util::MonoTime until);
  const Entry* find(const net::IpAddress& ip) const;
  // Ends the hold (the address was taken back or is free again). Returns whether it was held.
  bool erase(const net::IpAddress& ip);
  // The addresses held for `service`, one per family, the most recently held first in each.
  std::vector<net::IpAddress> heldFor(std::string_view service) const;
  // Removes and returns the holds whose time has come (until <= now).
  std::vector<net::IpAddress> expire(util::MonoTime now);
  std::optional<util::MonoTime> nextExpiry() const;
  std::size_t size() const { return holds_.size(); }
  const std::map<net::IpAddress, Entry>& entries() const { return holds_; }

 private:
  std::map<net::IpAddress, Entry> holds_;
  uint64_t nextOrder_ = 0;
};

}  // namespace ironlb::allocator
