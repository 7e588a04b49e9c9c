#pragma once
// One entry point for a received frame: Ethernet, then ARP or NDP. What the responder and the
// fuzz target call.

#include <cstdint>
#include <span>

#include "speaker/wire/arp.h"
#include "speaker/wire/ethernet.h"
#include "speaker/wire/ndp.h"

namespace ironlb::wire {

struct Frame {
  enum class Kind : uint8_t { kArp, kNdp };
  Kind kind = Kind::kArp;
  EthernetFrame ethernet;
  ArpPacket arp;   // kind == kArp
  NdpMessage ndp;  // kind == kNdp
};

Parsed<Frame> parseFrame(std::span<const uint8_t> bytes);

}  // namespace ironlb::wire
