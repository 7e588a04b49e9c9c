#pragma once
// ARP for IPv4 over Ethernet (RFC 826). Only the sane shape is accepted: htype 1, ptype 0x0800,
// hlen 6, plen 4, op request or reply, a unicast sender hardware address.

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"
#include "speaker/wire/parsed.h"

namespace ironlb::wire {

enum class ArpOp : uint16_t { kRequest = 1, kReply = 2 };

inline constexpr std::size_t kArpPayloadSize = 28;
inline constexpr std::size_t kArpFrameSize = 14 + kArpPayloadSize;

struct ArpPacket {
  ArpOp op = ArpOp::kRequest;
  net::MacAddress senderMac;
  net::IpAddress senderIp;  // IPv4
  net::MacAddress targetMac;
  net::IpAddress targetIp;  // IPv4
};

// `payload` is what follows the Ethernet header (trailing padding is ignored).
Parsed<ArpPacket> parseArp(std::span<const uint8_t> payload);

// Writes Ethernet header + ARP into `out`; returns the frame size, or 0 if `out` is too small.
std::size_t buildArpFrame(std::span<uint8_t> out, const net::MacAddress& ethDst,
                          const net::MacAddress& ethSrc, const ArpPacket& arp);

// Gratuitous ARP (sender = target = ip, Ethernet broadcast). The request form has a zero target
// MAC (RFC 5227 announcement); the reply form targets broadcast. Returns the size or 0.
std::size_t buildGratuitousArp(std::span<uint8_t> out, ArpOp op, const net::MacAddress& mac,
                               const net::IpAddress& ip);

}  // namespace ironlb::wire
