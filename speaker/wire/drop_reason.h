#pragma once
// Why a received frame was not answered. Every rejection on the packet path carries one of these
// and is counted per interface, so an operator can tell "malformed" from "not ours" from "hostile".

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ironlb::wire {

enum class DropReason : uint8_t {
  // Ethernet
  kEthernetTruncated,      // shorter than 14 bytes (18 with an 802.1Q tag)
  kVlanTagged,             // 802.1Q/802.1ad tagged: belongs to a VLAN sub-interface, not this one
  kUnsupportedEthertype,   // neither ARP nor IPv6
  kEthernetSourceInvalid,  // source MAC multicast/broadcast/zero
  // ARP (RFC 826 over Ethernet/IPv4 only)
  kArpTruncated,
  kArpBadHardwareType,   // htype != 1 (Ethernet)
  kArpBadProtocolType,   // ptype != 0x0800
  kArpBadAddressLength,  // hlen != 6 or plen != 4
  kArpBadOperation,      // not request (1) or reply (2)
  kArpSenderMacInvalid,  // sender hardware address multicast/zero: we would reply to nobody
  kArpNotForUs,          // Ethernet destination neither broadcast nor our MAC
  // IPv6 / ICMPv6 / NDP (RFC 4861 §7.1.1, §7.1.2)
  kIpv6Truncated,
  kIpv6BadVersion,
  kIpv6BadPayloadLength,  // payload length exceeds the frame
  kIpv6NotIcmpv6,         // next header not 58 (extension headers are not followed; see ndp.h)
  kIcmpv6Truncated,
  kIcmpv6NotNdp,    // ICMPv6 type other than NS (135) / NA (136)
  kNdpBadHopLimit,  // hop limit != 255: the packet crossed a router
  kNdpBadCode,      // ICMP code != 0
  kNdpBadChecksum,
  kNdpBadLength,  // ICMP length < 24
  kNdpTargetMulticast,
  kNdpSourceMulticast,       // IPv6 source is a multicast address (never valid, RFC 4291 §2.7)
  kNdpBadOption,             // option with length 0 or running past the packet
  kNdpDadWithSllao,          // unspecified source carrying a source link-layer address option
  kNdpDadBadDestination,     // unspecified source not sent to the solicited-node multicast group
  kNdpSolicitedToMulticast,  // NA with Solicited=1 sent to a multicast destination
  kNdpNotForUs,              // NS destination neither the target's solicited-node group nor target
  // Responder decisions on well-formed frames
  kNotOwned,          // request for an IP this node does not own at all
  kWrongInterface,    // IP owned, but not announced on the interface the request came in on
  kDadProbeNotOwned,  // DAD probe (unspecified source) for an address we do not own
  kNotARequest,       // well-formed reply/advertisement we only inspect (duplicate check)
  kSendFailed,        // reply built but the interface refused it
  kCount
};

inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);

// Stable snake_case name for logs and metrics labels, e.g. "ndp_bad_checksum".
std::string_view dropReasonName(DropReason reason);

// A plain counter per reason; indexes by the enum value.
struct DropCounters {
  std::array<uint64_t, kDropReasonCount> counts{};
  void add(DropReason reason) { ++counts[static_cast<std::size_t>(reason)]; }
  uint64_t get(DropReason reason) const { return counts[static_cast<std::size_t>(reason)]; }
  uint64_t total() const {
    uint64_t sum = 0;
    for (uint64_t c : counts)
      sum += c;
    return sum;
  }
};

}  // namespace ironlb::wire
