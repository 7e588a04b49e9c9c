// NDP decode/encode. Validation order follows RFC 4861 §7.1: IP-level checks, then ICMP, then
// options, then the DAD-specific rules, so each frame gets the first reason that applies.
#include "speaker/wire/ndp.h"

#include <cstring>

#include "speaker/wire/bytes.h"
#include "speaker/wire/ethernet.h"

namespace ironlb::wire {
namespace {

constexpr uint8_t kOptionSourceLinkLayer = 1;
constexpr uint8_t kOptionTargetLinkLayer = 2;

uint32_t pseudoHeaderSum(const uint8_t* src, const uint8_t* dst, uint32_t length) {
  uint32_t sum = checksumAdd(0, {src, 16});
  sum = checksumAdd(sum, {dst, 16});
  uint8_t tail[8];
  store32(tail, length);
  tail[4] = tail[5] = tail[6] = 0;
  tail[7] = kIpProtoIcmpv6;
  return checksumAdd(sum, tail);
}

std::size_t buildNdp(std::span<uint8_t> out, const net::MacAddress& ethDst,
                     const net::MacAddress& ethSrc, const net::IpAddress& src,
                     const net::IpAddress& dst, NdpType type, uint32_t flagsWord,
                     const net::IpAddress& target, std::optional<net::MacAddress> option) {
  if (!src.isV6() || !dst.isV6() || !target.isV6()) return 0;
  const std::size_t icmpLen = kNdpMessageSize + (option ? 8 : 0);
  const std::size_t size = kEthernetHeaderSize + kIpv6HeaderSize + icmpLen;
  if (out.size() < size) return 0;
  uint8_t* f = out.data();
  writeEthernetHeader(f, ethDst, ethSrc, kEthertypeIpv6);
  uint8_t* ip = f + kEthernetHeaderSize;
  store32(ip, 0x60000000u);
  store16(ip + 4, static_cast<uint16_t>(icmpLen));
  ip[6] = kIpProtoIcmpv6;
  ip[7] = kNdpHopLimit;
  src.toBytes(ip + 8);
  dst.toBytes(ip + 24);
  uint8_t* icmp = ip + kIpv6HeaderSize;
  icmp[0] = static_cast<uint8_t>(type);
  icmp[1] = 0;
  store16(icmp + 2, 0);
  store32(icmp + 4, flagsWord);
  target.toBytes(icmp + 8);
  if (option) {
    icmp[24] =
        type == NdpType::kNeighborSolicitation ? kOptionSourceLinkLayer : kOptionTargetLinkLayer;
    icmp[25] = 1;
    std::memcpy(icmp + 26, option->data(), 6);
  }
  uint32_t sum = pseudoHeaderSum(ip + 8, ip + 24, static_cast<uint32_t>(icmpLen));
  sum = checksumAdd(sum, {icmp, icmpLen});
  store16(icmp + 2, checksumFinish(sum));
  return size;
}

}  // namespace

bool isMulticastV6(const net::IpAddress& ip) {
  return ip.isV6() && (ip.value() >> 120) == 0xff;
}

net::IpAddress solicitedNodeMulticast(const net::IpAddress& ip) {
  return net::IpAddress::v6(net::makeU128(0xff02000000000000ull, 0x00000001ff000000ull) |
                            (ip.value() & 0xffffffu));
}

net::MacAddress ipv6MulticastMac(const net::IpAddress& group) {
  const auto low = static_cast<uint32_t>(group.value());
  return net::MacAddress({0x33, 0x33, static_cast<uint8_t>(low >> 24),
                          static_cast<uint8_t>(low >> 16), static_cast<uint8_t>(low >> 8),
                          static_cast<uint8_t>(low)});
}

Parsed<NdpMessage> parseNdp(std::span<const uint8_t> p) {
  if (p.size() < kIpv6HeaderSize) return DropReason::kIpv6Truncated;
  if ((p[0] >> 4) != 6) return DropReason::kIpv6BadVersion;
  const std::size_t payloadLen = load16(&p[4]);
  if (payloadLen > p.size() - kIpv6HeaderSize) return DropReason::kIpv6BadPayloadLength;
  if (p[6] != kIpProtoIcmpv6) return DropReason::kIpv6NotIcmpv6;
  const uint8_t hopLimit = p[7];
  const uint8_t* icmp = &p[kIpv6HeaderSize];
  if (payloadLen < 4) return DropReason::kIcmpv6Truncated;
  if (icmp[0] != static_cast<uint8_t>(NdpType::kNeighborSolicitation) &&
      icmp[0] != static_cast<uint8_t>(NdpType::kNeighborAdvertisement))
    return DropReason::kIcmpv6NotNdp;
  if (hopLimit != kNdpHopLimit) return DropReason::kNdpBadHopLimit;
  if (icmp[1] != 0) return DropReason::kNdpBadCode;
  if (payloadLen < kNdpMessageSize) return DropReason::kNdpBadLength;
  uint32_t sum = pseudoHeaderSum(&p[8], &p[24], static_cast<uint32_t>(payloadLen));
  sum = checksumAdd(sum, {icmp, payloadLen});
  if (checksumFinish(sum) != 0) return DropReason::kNdpBadChecksum;

  NdpMessage m;
  m.type = static_cast<NdpType>(icmp[0]);
  m.src = net::IpAddress::fromV6Bytes(&p[8]);
  m.dst = net::IpAddress::fromV6Bytes(&p[24]);
  m.target = net::IpAddress::fromV6Bytes(icmp + 8);
  if (isMulticastV6(m.target)) return DropReason::kNdpTargetMulticast;
  // A reply would go to a group, and with Solicited=1: found by the fuzzer.
  if (isMulticastV6(m.src)) return DropReason::kNdpSourceMulticast;
  if (m.type == NdpType::kNeighborAdvertisement) {
    m.router = (icmp[4] & 0x80) != 0;
    m.solicited = (icmp[4] & 0x40) != 0;
    m.override = (icmp[4] & 0x20) != 0;
  }

  bool hasSllao = false;
  const uint8_t wanted =
      m.type == NdpType::kNeighborSolicitation ? kOptionSourceLinkLayer : kOptionTargetLinkLayer;
  // Bounded: each step consumes at least 8 bytes of a payload of at most 64 KiB.
  for (std::size_t off = kNdpMessageSize; off < payloadLen;) {
    if (payloadLen - off < 2) return DropReason::kNdpBadOption;
    const std::size_t len = std::size_t{icmp[off + 1]} * 8;
    if (len == 0 || len > payloadLen - off) return DropReason::kNdpBadOption;
    const uint8_t type = icmp[off];
    if (type == kOptionSourceLinkLayer) hasSllao = true;
    if (type == kOptionSourceLinkLayer || type == kOptionTargetLinkLayer) {
      // On Ethernet the option is exactly 8 bytes (RFC 2464 §8).
      if (len != 8) return DropReason::kNdpBadOption;
      if (type == wanted && !m.linkLayerAddress)
        m.linkLayerAddress = net::MacAddress::fromBytes(icmp + off + 2);
    }
    off += len;
  }

  if (m.type == NdpType::kNeighborSolicitation) {
    const bool dstSolicitedNode = m.dst == solicitedNodeMulticast(m.target);
    if (m.isDadProbe()) {
      if (!dstSolicitedNode) return DropReason::kNdpDadBadDestination;
      if (hasSllao) return DropReason::kNdpDadWithSllao;
    }
    if (!dstSolicitedNode && m.dst != m.target) return DropReason::kNdpNotForUs;
  } else if (isMulticastV6(m.dst) && m.solicited) {
    return DropReason::kNdpSolicitedToMulticast;
  }
  return m;
}

std::size_t buildNeighborAdvertisement(std::span<uint8_t> out, const net::MacAddress& ethDst,
                                       const net::MacAddress& ethSrc, const net::IpAddress& src,
                                       const net::IpAddress& dst, const net::IpAddress& target,
                                       NaFlags flags, const net::MacAddress& targetMac) {
  const uint32_t word = (flags.router ? 0x80000000u : 0) | (flags.solicited ? 0x40000000u : 0) |
                        (flags.override ? 0x20000000u : 0);
  return buildNdp(out, ethDst, ethSrc, src, dst, NdpType::kNeighborAdvertisement, word, target,
                  targetMac);
}

std::size_t buildNeighborSolicitation(std::span<uint8_t> out, const net::MacAddress& ethDst,
                                      const net::MacAddress& ethSrc, const net::IpAddress& src,
                                      const net::IpAddress& dst, const net::IpAddress& target) {
  std::optional<net::MacAddress> sllao;
  if (src.value() != 0) sllao = ethSrc;
  return buildNdp(out, ethDst, ethSrc, src, dst, NdpType::kNeighborSolicitation, 0, target, sllao);
}

}  // namespace ironlb::wire
