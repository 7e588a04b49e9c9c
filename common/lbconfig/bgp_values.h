#pragma once
// The textual values of the BGP kinds, parsed and checked (docs/bgp.md): Go durations (holdTime,
// keepaliveTime, connectTime), BGP communities, AS numbers. Each parser returns the value or the
// reason in words; callers add object, field and value.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/util/result.h"

namespace ironlb::lbconfig {

// A Go duration as Kubernetes writes metav1.Duration: "90s", "1m30s", "1.5s", "250ms", "0".
// Negative durations are refused. Whole milliseconds; finer parts are an error.
Result<int64_t> parseGoDurationMs(std::string_view text);

// RFC 1997 community "A:B", each part 0-65535.
struct StandardCommunity {
  uint16_t asn = 0;
  uint16_t value = 0;

  friend auto operator<=>(const StandardCommunity&, const StandardCommunity&) = default;
};

// RFC 8092 large community "large:A:B:C", each part 0-4294967295.
struct LargeCommunity {
  uint32_t global = 0;
  uint32_t local1 = 0;
  uint32_t local2 = 0;

  friend auto operator<=>(const LargeCommunity&, const LargeCommunity&) = default;
};

using BgpCommunity = std::variant<StandardCommunity, LargeCommunity>;

// "A:B" or "large:A:B:C" (the forms MetalLB accepts). Anything else is an error; a caller that
// also accepts alias names looks the text up first.
Result<BgpCommunity> parseCommunity(std::string_view text);
// The form FRR's configuration takes ("65000:100", "1:2:3"): a standard one for
// `set community`, a large one for `set large-community`.
std::string formatCommunity(const BgpCommunity& community);
bool isLarge(const BgpCommunity& community);

// 4-byte AS numbers (RFC 6793): 1-4294967295 (0 is reserved, RFC 7607).
inline constexpr int64_t kMaxAsn = 4294967295;
bool validAsn(int64_t asn);

}  // namespace ironlb::lbconfig
