// Frame dispatch by ethertype.
#include "speaker/wire/frame.h"

namespace ironlb::wire {

Parsed<Frame> parseFrame(std::span<const uint8_t> bytes) {
  const auto eth = parseEthernet(bytes);
  if (!eth.ok()) return eth.reason();
  Frame frame;
  frame.ethernet = eth.value();
  if (frame.ethernet.ethertype == kEthertypeArp) {
    const auto arp = parseArp(frame.ethernet.payload);
    if (!arp.ok()) return arp.reason();
    frame.kind = Frame::Kind::kArp;
    frame.arp = arp.value();
    return frame;
  }
  if (frame.ethernet.ethertype == kEthertypeIpv6) {
    const auto ndp = parseNdp(frame.ethernet.payload);
    if (!ndp.ok()) return ndp.reason();
    frame.kind = Frame::Kind::kNdp;
    frame.ndp = ndp.value();
    return frame;
  }
  return DropReason::kUnsupportedEthertype;
}

}  // namespace ironlb::wire
