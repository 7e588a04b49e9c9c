#pragma once
// AddressCount: an exact number of addresses in [0, 2^128]. One IPv6 pool can hold 2^128
// addresses, one more than a 128-bit integer holds, so the top value has its own flag.
// Where a consumer only takes int64 (Kubernetes status), counts saturate at INT64_MAX the way
// MetalLB reports huge IPv6 pools; toString() is always exact.

#include <compare>
#include <cstdint>
#include <string>

#include "common/net/u128.h"

namespace ironlb::net {

class AddressCount {
 public:
  constexpr AddressCount() = default;
  constexpr explicit AddressCount(U128 value) : value_(value) {}
  static constexpr AddressCount all128() {  // 2^128
    AddressCount c;
    c.full_ = true;
    return c;
  }
  // Number of addresses in [first, last] (inclusive, first <= last).
  static constexpr AddressCount inclusive(U128 first, U128 last) {
    const U128 span = last - first;
    return span == kU128Max ? all128() : AddressCount(span + 1);
  }

  constexpr bool isZero() const { return !full_ && value_ == 0; }
  // True when the count is 2^128 (value() is then 0).
  constexpr bool isAll128() const { return full_; }
  constexpr U128 value() const { return value_; }

  // Exact arithmetic; the caller guarantees the result stays in [0, 2^128].
  AddressCount& operator+=(const AddressCount& other);
  AddressCount& operator-=(const AddressCount& other);
  friend AddressCount operator+(AddressCount a, const AddressCount& b) { return a += b; }
  friend AddressCount operator-(AddressCount a, const AddressCount& b) { return a -= b; }

  int64_t toInt64Saturated() const;
  double toDouble() const;
  std::string toString() const;  // exact decimal

  friend constexpr std::strong_ordering operator<=>(const AddressCount& a, const AddressCount& b) {
    if (a.full_ != b.full_)
      return a.full_ ? std::strong_ordering::greater : std::strong_ordering::less;
    return a.value_ == b.value_  ? std::strong_ordering::equal
           : a.value_ < b.value_ ? std::strong_ordering::less
                                 : std::strong_ordering::greater;
  }
  friend constexpr bool operator==(const AddressCount&, const AddressCount&) = default;

 private:
  U128 value_ = 0;
  bool full_ = false;
};

}  // namespace ironlb::net
