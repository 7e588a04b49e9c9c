#pragma once
// Prefix: a CIDR block (network address + length). Parsing masks host bits the way the
// Kubernetes API and MetalLB do ("192.168.2.130/28" is 192.168.2.128/28) and reports whether
// any were set, so configuration can warn about it.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/net/address_count.h"
#include "common/net/ip_address.h"
#include "common/util/result.h"

namespace ironlb::net {

class IpRange;

class Prefix {
 public:
  struct Parsed;

  constexpr Prefix() = default;
  // Masks host bits of `address`; `length` must be <= address.bits().
  Prefix(const IpAddress& address, int length);

  static Result<Parsed> parse(std::string_view text);

  constexpr const IpAddress& network() const { return network_; }
  constexpr int length() const { return length_; }
  constexpr Family family() const { return network_.family(); }

  IpAddress first() const { return network_; }
  IpAddress last() const;
  IpRange range() const;
  AddressCount size() const;
  bool contains(const IpAddress& ip) const;
  bool contains(const Prefix& other) const;

  std::string toString() const;

  friend constexpr auto operator<=>(const Prefix&, const Prefix&) = default;
  friend constexpr bool operator==(const Prefix&, const Prefix&) = default;

 private:
  IpAddress network_;
  uint8_t length_ = 0;
};

struct Prefix::Parsed {
  Prefix prefix;
  bool hostBitsSet = false;  // the text had bits set beyond the prefix length
};

// Mask with the top `length` bits of the family set, as a 128-bit number.
U128 prefixMask(Family family, int length);

}  // namespace ironlb::net
