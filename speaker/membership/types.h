#pragma once
// Value types shared by the membership core, its wire codec and its UDP driver.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/net/ip_address.h"
#include "common/util/clock.h"

namespace ironlb::membership {

using Duration = std::chrono::nanoseconds;

// 64-bit identity of a member: the first 8 bytes of SHA-256(node name), big-endian. It is the
// member's position on the monitoring ring and its name on the wire (fixed-size packets).
using MemberId = uint64_t;

// A link-layer (Ethernet) address a member answers ARP/NDP from. Members tell each other theirs
// over the authenticated membership, so the duplicate-owner arbitration can tell a peer speaker
// from a foreign device (docs/duplicate-owner.md).
using LinkMac = std::array<uint8_t, 6>;
inline constexpr std::size_t kMaxMacs = 16;  // per member; more interfaces are not announced

// What the cluster says about a member; ordered by precedence for one incarnation (a higher
// value overrides a lower one at the same incarnation, a higher incarnation overrides all).
enum class MemberStatus : uint8_t {
  kUnknown = 0,    // expected but never heard of (incarnation 0); never sent on the wire
  kAlive = 1,      // running and a candidate
  kWithdrawn = 2,  // running but asked not to be a candidate (reversible by the member)
  kDead = 3,       // declared dead by a monitor after suspicion and indirect confirmation
  kLeft = 4,       // said goodbye (graceful stop)
};
inline constexpr uint8_t kMaxMemberStatus = 4;

std::string_view statusName(MemberStatus status);

// Reachable members are monitored (ring) and receive notices.
constexpr bool isReachable(MemberStatus s) {
  return s == MemberStatus::kAlive || s == MemberStatus::kWithdrawn;
}

struct Endpoint {
  net::IpAddress address;
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

std::string toString(const Endpoint& endpoint);  // "192.0.2.1:7947", "[2001:db8::1]:7947"

// One expected member as Kubernetes describes it.
struct MemberSpec {
  std::string name;
  Endpoint endpoint;
};

}  // namespace ironlb::membership
