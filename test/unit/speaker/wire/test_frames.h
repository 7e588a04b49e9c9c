#pragma once
// Byte-level builders for hand-made test frames (independent of the code under test where the
// point is to check it), shared by the wire tests.

#include <cstdint>
#include <vector>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"

namespace ironlb::wire::testing {

inline net::MacAddress mac(const char* text) {
  return net::MacAddress::parse(text).value();
}
inline net::IpAddress ip(const char* text) {
  return net::IpAddress::parse(text).value();
}

}  // namespace ironlb::wire::testing
