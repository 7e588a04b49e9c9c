#pragma once
// IpAddress: an IPv4 or IPv6 address as a small binary value (family + 128-bit number).
// Text is parsed once at the edges with the rules of the Kubernetes API (no leading zeros in
// IPv4 octets, no zone ids, no IPv4-mapped IPv6) and formatted canonically (RFC 5952).

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/net/u128.h"
#include "common/util/result.h"

namespace ironlb::net {

enum class Family : uint8_t { kV4 = 4, kV6 = 6 };

std::string_view familyName(Family family);  // "IPv4" / "IPv6"
inline constexpr int familyBits(Family family) {
  return family == Family::kV4 ? 32 : 128;
}
inline constexpr U128 familyMax(Family family) {
  return family == Family::kV4 ? U128{0xffffffffu} : kU128Max;
}

class IpAddress {
 public:
  // Longest text form: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" (45 chars) + NUL.
  static constexpr std::size_t kMaxTextLength = 46;

  constexpr IpAddress() = default;  // 0.0.0.0

  static constexpr IpAddress v4(uint32_t hostOrder) { return IpAddress(Family::kV4, hostOrder); }
  static constexpr IpAddress v6(U128 value) { return IpAddress(Family::kV6, value); }
  // From network-order bytes: 4 bytes (IPv4) or 16 bytes (IPv6).
  static IpAddress fromV4Bytes(const uint8_t* bytes);
  static IpAddress fromV6Bytes(const uint8_t* bytes);
  // `value` must not exceed familyMax(family).
  static constexpr IpAddress fromValue(Family family, U128 value) {
    return IpAddress(family, value);
  }

  // Strict parse of one address; the error says what is wrong with the text.
  static Result<IpAddress> parse(std::string_view text);

  constexpr Family family() const { return family_; }
  constexpr bool isV4() const { return family_ == Family::kV4; }
  constexpr bool isV6() const { return family_ == Family::kV6; }
  constexpr U128 value() const { return value_; }
  constexpr uint32_t v4Value() const { return static_cast<uint32_t>(value_); }
  constexpr int bits() const { return familyBits(family_); }

  // Writes 4 or 16 network-order bytes; returns the count.
  std::size_t toBytes(uint8_t* out) const;
  std::array<uint8_t, 16> v6Bytes() const;

  // Canonical text. formatTo writes a NUL-terminated string into `out` without allocating and
  // returns its length.
  std::string toString() const;
  std::size_t formatTo(char (&out)[kMaxTextLength]) const;

  // this + n (or - n), or nullopt when the result leaves the family's address space.
  std::optional<IpAddress> plus(U128 n) const;
  std::optional<IpAddress> minus(U128 n) const;
  std::optional<IpAddress> next() const { return plus(1); }
  std::optional<IpAddress> prev() const { return minus(1); }

  // IPv4 only: last octet 0 or 255 (MetalLB's avoidBuggyIPs rule, whatever the prefix length).
  constexpr bool isBuggyV4() const {
    const uint32_t last = v4Value() & 0xffu;
    return isV4() && (last == 0 || last == 0xff);
  }

  // Orders IPv4 before IPv6, then numerically.
  friend constexpr std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.family_ != b.family_) return a.family_ <=> b.family_;
    return a.value_ == b.value_  ? std::strong_ordering::equal
           : a.value_ < b.value_ ? std::strong_ordering::less
                                 : std::strong_ordering::greater;
  }
  friend constexpr bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family_ == b.family_ && a.value_ == b.value_;
  }

 private:
  constexpr IpAddress(Family family, U128 value) : value_(value), family_(family) {}

  U128 value_ = 0;
  Family family_ = Family::kV4;
};

// b - a for a <= b of one family (the caller checks both).
constexpr U128 distance(const IpAddress& a, const IpAddress& b) {
  return b.value() - a.value();
}

struct IpAddressHash {
  std::size_t operator()(const IpAddress& ip) const noexcept;
};

}  // namespace ironlb::net

template <>
struct std::hash<ironlb::net::IpAddress> : ironlb::net::IpAddressHash {};
