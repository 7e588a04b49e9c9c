// Responder packet path. Replies are built into stack buffers; the only calls out are the
// channel's send and the duplicate-owner listener (an anomaly, not the common path).
#include "speaker/io/responder.h"

#include <array>

namespace ironlb::io {
namespace {

using announcer::IpCounters;
using announcer::OwnershipTable;
using wire::DropReason;

}  // namespace

void Responder::handleFrame(InterfaceContext& ctx, std::span<const uint8_t> bytes) {
  ++ctx.counters->framesReceived;
  const auto frame = wire::parseFrame(bytes);
  if (!frame.ok()) {
    ctx.counters->drops.add(frame.reason());
    return;
  }
  if (frame->kind == wire::Frame::Kind::kArp) {
    handleArp(ctx, frame.value());
  } else {
    handleNdp(ctx, frame.value());
  }
}

bool Responder::send(InterfaceContext& ctx, std::span<const uint8_t> frame) {
  if (frame.empty() || ctx.channel == nullptr || !ctx.channel->send(frame)) {
    ctx.counters->drops.add(DropReason::kSendFailed);
    return false;
  }
  return true;
}

void Responder::duplicate(InterfaceContext& ctx, DuplicateOwnerEvent::Source source,
                          const net::IpAddress& ip, const net::MacAddress& other,
                          IpCounters* counters) {
  if (counters != nullptr) ++counters->duplicateOwnerSeen;
  if (listener_ != nullptr) listener_->onDuplicateOwner({source, ctx.ifindex, ip, ctx.mac, other});
}

void Responder::handleArp(InterfaceContext& ctx, const wire::Frame& frame) {
  const wire::ArpPacket& arp = frame.arp;
  const net::MacAddress& dst = frame.ethernet.dst;
  if (!dst.isBroadcast() && dst != ctx.mac) {
    ctx.counters->drops.add(DropReason::kArpNotForUs);
    return;
  }
  // Someone else speaking as one of our IPs (reply, gratuitous request or reply).
  IpCounters* senderCounters = nullptr;
  if (arp.senderMac != ctx.mac &&
      table_.lookup(ctx.ifindex, arp.senderIp, &senderCounters) == OwnershipTable::Answer::kOwned)
    duplicate(ctx, DuplicateOwnerEvent::Source::kArp, arp.senderIp, arp.senderMac, senderCounters);
  // Replies and announcements (sender = target) ask nothing.
  if (arp.op != wire::ArpOp::kRequest || arp.senderIp == arp.targetIp) {
    ctx.counters->drops.add(DropReason::kNotARequest);
    return;
  }
  IpCounters* counters = nullptr;
  switch (table_.lookup(ctx.ifindex, arp.targetIp, &counters)) {
    case OwnershipTable::Answer::kNotOwned:
      ctx.counters->drops.add(DropReason::kNotOwned);
      return;
    case OwnershipTable::Answer::kWrongInterface:
      ctx.counters->drops.add(DropReason::kWrongInterface);
      return;
    case OwnershipTable::Answer::kOwned:
      break;
  }
  ++counters->requestsReceived;
  wire::ArpPacket reply;
  reply.op = wire::ArpOp::kReply;
  reply.senderMac = ctx.mac;
  reply.senderIp = arp.targetIp;
  reply.targetMac = arp.senderMac;
  reply.targetIp = arp.senderIp;
  std::array<uint8_t, wire::kArpFrameSize> buf;
  if (send(ctx, {buf.data(), wire::buildArpFrame(buf, arp.senderMac, ctx.mac, reply)}))
    ++counters->responsesSent;
}

void Responder::handleNdp(InterfaceContext& ctx, const wire::Frame& frame) {
  const wire::NdpMessage& ndp = frame.ndp;
  IpCounters* counters = nullptr;
  const auto answer = table_.lookup(ctx.ifindex, ndp.target, &counters);

  if (ndp.type == wire::NdpType::kNeighborAdvertisement) {
    const net::MacAddress other = ndp.linkLayerAddress.value_or(frame.ethernet.src);
    if (answer == OwnershipTable::Answer::kOwned && other != ctx.mac)
      duplicate(ctx, DuplicateOwnerEvent::Source::kNeighborAdvertisement, ndp.target, other,
                counters);
    ctx.counters->drops.add(DropReason::kNotARequest);
    return;
  }

  if (answer != OwnershipTable::Answer::kOwned) {
    ctx.counters->drops.add(ndp.isDadProbe() ? DropReason::kDadProbeNotOwned
                            : answer == OwnershipTable::Answer::kWrongInterface
                                ? DropReason::kWrongInterface
                                : DropReason::kNotOwned);
    return;
  }
  ++counters->requestsReceived;
  const net::IpAddress& src = ndp.target;
  std::array<uint8_t, wire::kNdpFrameSize> buf;
  std::size_t size = 0;
  if (ndp.isDadProbe()) {
    size = wire::buildNeighborAdvertisement(
        buf, wire::ipv6MulticastMac(wire::kAllNodes), ctx.mac, src, wire::kAllNodes, ndp.target,
        {.router = false, .solicited = false, .override = true}, ctx.mac);
    if (send(ctx, {buf.data(), size})) ++counters->dadProbesAnswered;
    duplicate(ctx, DuplicateOwnerEvent::Source::kDadProbe, ndp.target, net::MacAddress(), nullptr);
    return;
  }
  const net::MacAddress ethDst = ndp.linkLayerAddress.value_or(frame.ethernet.src);
  size = wire::buildNeighborAdvertisement(buf, ethDst, ctx.mac, src, ndp.src, ndp.target,
                                          {.router = false, .solicited = true, .override = false},
                                          ctx.mac);
  if (send(ctx, {buf.data(), size})) ++counters->responsesSent;
}

int Responder::sendGratuitous(InterfaceContext& ctx, const net::IpAddress& ip,
                              IpCounters& counters) {
  int sent = 0;
  if (ip.isV4()) {
    std::array<uint8_t, wire::kArpFrameSize> buf;
    for (auto op : {wire::ArpOp::kRequest, wire::ArpOp::kReply}) {
      if (send(ctx, {buf.data(), wire::buildGratuitousArp(buf, op, ctx.mac, ip)})) {
        ++counters.gratuitousSent;
        ++sent;
      }
    }
    return sent;
  }
  std::array<uint8_t, wire::kNdpFrameSize> buf;
  const std::size_t size = wire::buildNeighborAdvertisement(
      buf, wire::ipv6MulticastMac(wire::kAllNodes), ctx.mac, ip, wire::kAllNodes, ip,
      {.router = false, .solicited = false, .override = true}, ctx.mac);
  if (send(ctx, {buf.data(), size})) {
    ++counters.gratuitousSent;
    ++sent;
  }
  return sent;
}

}  // namespace ironlb::io
