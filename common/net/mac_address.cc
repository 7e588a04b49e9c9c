#include "common/net/mac_address.h"

#include <cstring>

namespace ironlb::net {

MacAddress MacAddress::fromBytes(const uint8_t* bytes) {
  std::array<uint8_t, 6> b;
  std::memcpy(b.data(), bytes, 6);
  return MacAddress(b);
}

Result<MacAddress> MacAddress::parse(std::string_view text) {
  const auto fail = [&] {
    return Error{"invalid MAC address \"" + std::string(text) +
                 "\": expected six hex pairs like aa:bb:cc:dd:ee:ff"};
  };
  if (text.size() != kTextLength) return fail();
  std::array<uint8_t, 6> b{};
  const char sep = text[2];
  if (sep != ':' && sep != '-') return fail();
  for (std::size_t i = 0; i < 6; ++i) {
    const std::size_t at = i * 3;
    if (i != 0 && text[at - 1] != sep) return fail();
    int v = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      const char c = text[at + k];
      int h;
      if (c >= '0' && c <= '9')
        h = c - '0';
      else if (c >= 'a' && c <= 'f')
        h = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        h = c - 'A' + 10;
      else
        return fail();
      v = v * 16 + h;
    }
    b[i] = static_cast<uint8_t>(v);
  }
  return MacAddress(b);
}

void MacAddress::formatTo(char (&out)[kTextLength + 1]) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 6; ++i) {
    out[i * 3] = kHex[bytes_[i] >> 4];
    out[i * 3 + 1] = kHex[bytes_[i] & 0xf];
    if (i != 5) out[i * 3 + 2] = ':';
  }
  out[kTextLength] = '\0';
}

std::string MacAddress::toString() const {
  char buf[kTextLength + 1];
  formatTo(buf);
  return std::string(buf, kTextLength);
}

}  // namespace ironlb::net
