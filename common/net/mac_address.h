#pragma once
// MacAddress: a 48-bit Ethernet address.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace ironlb::net {

class MacAddress {
 public:
  static constexpr std::size_t kTextLength = 17;  // "aa:bb:cc:dd:ee:ff"

  constexpr MacAddress() = default;
  constexpr explicit MacAddress(const std::array<uint8_t, 6>& bytes) : bytes_(bytes) {}
  static MacAddress fromBytes(const uint8_t* bytes);
  static constexpr MacAddress broadcast() {
    return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  }

  // "aa:bb:cc:dd:ee:ff" (':' or '-' separators, either case).
  static Result<MacAddress> parse(std::string_view text);

  constexpr const std::array<uint8_t, 6>& bytes() const { return bytes_; }
  constexpr const uint8_t* data() const { return bytes_.data(); }
  constexpr bool isZero() const { return *this == MacAddress(); }
  constexpr bool isBroadcast() const { return *this == broadcast(); }
  constexpr bool isMulticast() const { return (bytes_[0] & 1) != 0; }

  std::string toString() const;
  // Writes kTextLength chars + NUL without allocating.
  void formatTo(char (&out)[kTextLength + 1]) const;

  friend constexpr auto operator<=>(const MacAddress&, const MacAddress&) = default;
  friend constexpr bool operator==(const MacAddress&, const MacAddress&) = default;

 private:
  std::array<uint8_t, 6> bytes_{};
};

}  // namespace ironlb::net
