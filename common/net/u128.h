#pragma once
// 128-bit unsigned arithmetic for address math. IPv6 addresses and pool sizes need all 128 bits.

#include <cstdint>
#include <string>

namespace ironlb::net {

__extension__ typedef unsigned __int128 U128;

inline constexpr U128 kU128Max = ~static_cast<U128>(0);

// Decimal text of a 128-bit value (logs, exact counters).
std::string u128ToString(U128 value);

inline constexpr uint64_t high64(U128 v) {
  return static_cast<uint64_t>(v >> 64);
}
inline constexpr uint64_t low64(U128 v) {
  return static_cast<uint64_t>(v);
}
inline constexpr U128 makeU128(uint64_t hi, uint64_t lo) {
  return (static_cast<U128>(hi) << 64) | lo;
}

}  // namespace ironlb::net
