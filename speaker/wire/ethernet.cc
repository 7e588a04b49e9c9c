// Ethernet II decode/encode.
#include "speaker/wire/ethernet.h"

#include <cstring>

#include "speaker/wire/bytes.h"

namespace ironlb::wire {

Parsed<EthernetFrame> parseEthernet(std::span<const uint8_t> frame) {
  if (frame.size() < kEthernetHeaderSize) return DropReason::kEthernetTruncated;
  EthernetFrame eth;
  eth.dst = net::MacAddress::fromBytes(frame.data());
  eth.src = net::MacAddress::fromBytes(frame.data() + 6);
  eth.ethertype = load16(frame.data() + 12);
  if (eth.ethertype == kEthertypeVlan || eth.ethertype == kEthertypeQinQ) {
    if (frame.size() < kEthernetHeaderSize + 4) return DropReason::kEthernetTruncated;
    return DropReason::kVlanTagged;
  }
  if (eth.src.isMulticast() || eth.src.isZero()) return DropReason::kEthernetSourceInvalid;
  eth.payload = frame.subspan(kEthernetHeaderSize);
  return eth;
}

void writeEthernetHeader(uint8_t* out, const net::MacAddress& dst, const net::MacAddress& src,
                         uint16_t ethertype) {
  std::memcpy(out, dst.data(), 6);
  std::memcpy(out + 6, src.data(), 6);
  store16(out + 12, ethertype);
}

}  // namespace ironlb::wire
