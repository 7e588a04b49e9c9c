#include "common/net/address_count.h"

#include <cassert>
#include <limits>

namespace ironlb::net {

AddressCount& AddressCount::operator+=(const AddressCount& other) {
  if (other.full_) {
    assert(!full_ && value_ == 0);
    full_ = true;
    return *this;
  }
  const U128 sum = value_ + other.value_;
  if (sum < value_) {  // wrapped: exactly 2^128 plus the remainder, which must be 0
    assert(sum == 0 && !full_);
    full_ = true;
  }
  value_ = sum;
  return *this;
}

AddressCount& AddressCount::operator-=(const AddressCount& other) {
  assert(*this >= other);
  if (other.full_) {
    *this = AddressCount();
    return *this;
  }
  if (full_) {
    // 2^128 - x == (2^128 - 1) - x + 1; for x == 0 the count stays 2^128.
    if (other.value_ != 0) {
      full_ = false;
      value_ = (kU128Max - other.value_) + 1;
    }
    return *this;
  }
  value_ -= other.value_;
  return *this;
}

int64_t AddressCount::toInt64Saturated() const {
  constexpr auto kMax = std::numeric_limits<int64_t>::max();
  if (full_ || value_ > static_cast<U128>(kMax)) return kMax;
  return static_cast<int64_t>(value_);
}

double AddressCount::toDouble() const {
  if (full_) return 340282366920938463463374607431768211456.0;  // 2^128
  return static_cast<double>(high64(value_)) * 18446744073709551616.0 +
         static_cast<double>(low64(value_));
}

std::string AddressCount::toString() const {
  return full_ ? "340282366920938463463374607431768211456" : u128ToString(value_);
}

}  // namespace ironlb::net
