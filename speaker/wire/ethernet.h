#pragma once
// Ethernet II header. 802.1Q / 802.1ad tagged frames are recognised and rejected (kVlanTagged):
// on Linux a VLAN's traffic is answered on its own sub-interface (eth0.100), which sees untagged
// frames; a tagged frame on the parent belongs to a broadcast domain we were not asked to serve,
// and answering it untagged would put the reply in the wrong one.

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/net/mac_address.h"
#include "speaker/wire/parsed.h"

namespace ironlb::wire {

inline constexpr uint16_t kEthertypeArp = 0x0806;
inline constexpr uint16_t kEthertypeIpv6 = 0x86dd;
inline constexpr uint16_t kEthertypeVlan = 0x8100;
inline constexpr uint16_t kEthertypeQinQ = 0x88a8;
inline constexpr uint16_t kEthertypeIpv4ForArp = 0x0800;  // ARP protocol type for IPv4
inline constexpr std::size_t kEthernetHeaderSize = 14;

struct EthernetFrame {
  net::MacAddress dst;
  net::MacAddress src;
  uint16_t ethertype = 0;
  std::span<const uint8_t> payload;
};

// Rejects truncated and tagged frames and invalid (group or zero) source addresses.
Parsed<EthernetFrame> parseEthernet(std::span<const uint8_t> frame);

// Writes a 14-byte header; `out` must hold at least kEthernetHeaderSize bytes.
void writeEthernetHeader(uint8_t* out, const net::MacAddress& dst, const net::MacAddress& src,
                         uint16_t ethertype);

}  // namespace ironlb::wire
