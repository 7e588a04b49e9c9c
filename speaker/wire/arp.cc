// ARP decode/encode.
#include "speaker/wire/arp.h"

#include <cstring>

#include "speaker/wire/bytes.h"
#include "speaker/wire/ethernet.h"

namespace ironlb::wire {

Parsed<ArpPacket> parseArp(std::span<const uint8_t> p) {
  if (p.size() < kArpPayloadSize) return DropReason::kArpTruncated;
  if (load16(&p[0]) != 1) return DropReason::kArpBadHardwareType;
  if (load16(&p[2]) != kEthertypeIpv4ForArp) return DropReason::kArpBadProtocolType;
  if (p[4] != 6 || p[5] != 4) return DropReason::kArpBadAddressLength;
  const uint16_t op = load16(&p[6]);
  if (op != 1 && op != 2) return DropReason::kArpBadOperation;
  ArpPacket arp;
  arp.op = static_cast<ArpOp>(op);
  arp.senderMac = net::MacAddress::fromBytes(&p[8]);
  arp.senderIp = net::IpAddress::v4(load32(&p[14]));
  arp.targetMac = net::MacAddress::fromBytes(&p[18]);
  arp.targetIp = net::IpAddress::v4(load32(&p[24]));
  if (arp.senderMac.isMulticast() || arp.senderMac.isZero())
    return DropReason::kArpSenderMacInvalid;
  return arp;
}

std::size_t buildArpFrame(std::span<uint8_t> out, const net::MacAddress& ethDst,
                          const net::MacAddress& ethSrc, const ArpPacket& arp) {
  if (out.size() < kArpFrameSize || !arp.senderIp.isV4() || !arp.targetIp.isV4()) return 0;
  uint8_t* f = out.data();
  writeEthernetHeader(f, ethDst, ethSrc, kEthertypeArp);
  uint8_t* p = f + kEthernetHeaderSize;
  store16(p, 1);
  store16(p + 2, kEthertypeIpv4ForArp);
  p[4] = 6;
  p[5] = 4;
  store16(p + 6, static_cast<uint16_t>(arp.op));
  std::memcpy(p + 8, arp.senderMac.data(), 6);
  store32(p + 14, arp.senderIp.v4Value());
  std::memcpy(p + 18, arp.targetMac.data(), 6);
  store32(p + 24, arp.targetIp.v4Value());
  return kArpFrameSize;
}

std::size_t buildGratuitousArp(std::span<uint8_t> out, ArpOp op, const net::MacAddress& mac,
                               const net::IpAddress& ip) {
  ArpPacket arp;
  arp.op = op;
  arp.senderMac = mac;
  arp.senderIp = ip;
  arp.targetMac = op == ArpOp::kReply ? net::MacAddress::broadcast() : net::MacAddress();
  arp.targetIp = ip;
  return buildArpFrame(out, net::MacAddress::broadcast(), mac, arp);
}

}  // namespace ironlb::wire
