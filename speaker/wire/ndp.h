#pragma once
// IPv6 + ICMPv6 Neighbor Solicitation / Advertisement (RFC 4861) with the source/target
// link-layer address options, validated per §7.1.1 and §7.1.2.
//
// Extension headers are not followed: an NS/NA is accepted only when ICMPv6 directly follows the
// fixed IPv6 header (next header 58). Real stacks never put extension headers on NS/NA, RFC 6980
// forbids fragmenting them, and the kernel filter (speaker/io) reads the ICMPv6 type at the fixed
// offset 54 for the same reason. Anything else is dropped as kIpv6NotIcmpv6.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"
#include "speaker/wire/parsed.h"

namespace ironlb::wire {

inline constexpr std::size_t kIpv6HeaderSize = 40;
inline constexpr uint8_t kIpProtoIcmpv6 = 58;
inline constexpr uint8_t kNdpHopLimit = 255;
inline constexpr std::size_t kNdpMessageSize = 24;  // type..target, before options
// Ethernet + IPv6 + NS/NA + one 8-byte link-layer address option.
inline constexpr std::size_t kNdpFrameSize = 14 + kIpv6HeaderSize + kNdpMessageSize + 8;

enum class NdpType : uint8_t { kNeighborSolicitation = 135, kNeighborAdvertisement = 136 };

struct NdpMessage {
  NdpType type = NdpType::kNeighborSolicitation;
  net::IpAddress src;  // IPv6 source (may be :: for DAD)
  net::IpAddress dst;
  net::IpAddress target;
  bool router = false;  // NA flags
  bool solicited = false;
  bool override = false;
  // Source link-layer address option (NS) or target link-layer address option (NA).
  std::optional<net::MacAddress> linkLayerAddress;

  bool isDadProbe() const { return type == NdpType::kNeighborSolicitation && src.value() == 0; }
};

// `packet` is what follows the Ethernet header.
Parsed<NdpMessage> parseNdp(std::span<const uint8_t> packet);

// ff02::1:ffXX:XXXX for an IPv6 unicast address.
net::IpAddress solicitedNodeMulticast(const net::IpAddress& ip);
// 33:33 + the low 32 bits of an IPv6 multicast address (RFC 2464 §7).
net::MacAddress ipv6MulticastMac(const net::IpAddress& group);
bool isMulticastV6(const net::IpAddress& ip);
inline constexpr net::IpAddress kAllNodes =
    net::IpAddress::v6(net::makeU128(0xff02000000000000ull, 1));

struct NaFlags {
  bool router = false;
  bool solicited = false;
  bool override = false;
};

// Neighbor Advertisement with a TLLAO carrying `targetMac`. Returns the frame size or 0.
std::size_t buildNeighborAdvertisement(std::span<uint8_t> out, const net::MacAddress& ethDst,
                                       const net::MacAddress& ethSrc, const net::IpAddress& src,
                                       const net::IpAddress& dst, const net::IpAddress& target,
                                       NaFlags flags, const net::MacAddress& targetMac);

// Neighbor Solicitation with an SLLAO (omitted when `src` is :: as DAD requires). For clients and
// load generators; the speaker never solicits.
std::size_t buildNeighborSolicitation(std::span<uint8_t> out, const net::MacAddress& ethDst,
                                      const net::MacAddress& ethSrc, const net::IpAddress& src,
                                      const net::IpAddress& dst, const net::IpAddress& target);

}  // namespace ironlb::wire
