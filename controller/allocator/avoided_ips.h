#pragma once
// avoidBuggyIPs arithmetic. MetalLB's rule: skip every IPv4 address whose last octet is 0 or 255,
// whatever the prefix length (old CPE firmware drops traffic to them as "smurf" attacks). Counting
// is closed-form so totals stay exact without walking a range.

#include <cstdint>

#include "common/net/ip_address.h"
#include "common/net/u128.h"

namespace ironlb::allocator {

inline bool isAvoided(bool avoidBuggyIps, net::Family family, net::U128 value) {
  if (!avoidBuggyIps || family != net::Family::kV4) return false;
  const auto lastOctet = static_cast<uint32_t>(value) & 0xffu;
  return lastOctet == 0 || lastOctet == 0xffu;
}

// Number of IPv4 addresses in [first, last] (first <= last) whose last octet is 0 or 255.
uint64_t countAvoidedV4(uint32_t first, uint32_t last);

}  // namespace ironlb::allocator
