#pragma once
// Responder: the packet path. For each received frame on an interface: parse, check ownership,
// answer (ARP reply / solicited NA) and count, or count the drop reason. Also notices another
// MAC claiming an IP we own. Allocates nothing, throws nothing, formats nothing.
//
// NDP decisions (RFC 4861):
// - Solicited NA: to the solicitor's unicast address and link-layer address (SLLAO, else the
//   Ethernet source), Solicited=1, Override=0, TLLAO = our MAC.
// - NA source address: the VIP itself (the target), for solicited, unsolicited and DAD-defence
//   NAs alike. It is what the Linux kernel does for addresses it owns (ndisc_send_na sources from
//   the solicited address), it needs no link-local on the link (which may still be tentative
//   right after the link came up, exactly when we re-announce), and real clients check it:
//   ndisc6 ignores an NA whose source is link-scoped when the target it asked for is global.
//   §4.4 asks for "an address assigned to the interface": the VIP is assigned by us.
// - DAD probe (source ::) for an owned VIP: answered per §7.2.4 (NA to ff02::1, Solicited=0,
//   Override=1): the prober wants our VIP, which would be a duplicate; it is counted
//   (dadProbesAnswered) and reported as a duplicate owner. DAD probes for anything else are
//   dropped (kDadProbeNotOwned) and never answered, so a booting host is never blocked.

#include <cstdint>
#include <optional>
#include <span>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"
#include "speaker/announcer/counters.h"
#include "speaker/announcer/ownership_table.h"
#include "speaker/io/packet_io.h"
#include "speaker/wire/frame.h"

namespace ironlb::io {

struct DuplicateOwnerEvent {
  enum class Source { kArp, kNeighborAdvertisement, kDadProbe };
  Source source = Source::kArp;
  int ifindex = 0;
  net::IpAddress ip;
  net::MacAddress ourMac;
  net::MacAddress otherMac;  // zero for DAD probes (they carry no link-layer address)
};

class DuplicateOwnerListener {
 public:
  virtual ~DuplicateOwnerListener() = default;
  virtual void onDuplicateOwner(const DuplicateOwnerEvent& event) = 0;
};

// Per-interface state the packet path reads; owned by the Dataplane, updated on link changes.
struct InterfaceContext {
  int ifindex = 0;
  net::MacAddress mac;
  announcer::InterfaceCounters* counters = nullptr;
  PacketChannel* channel = nullptr;
};

class Responder {
 public:
  Responder(const announcer::OwnershipTable& table, DuplicateOwnerListener* listener)
      : table_(table), listener_(listener) {}

  void handleFrame(InterfaceContext& ctx, std::span<const uint8_t> frame);

  // Control path: gratuitous ARP (request and reply forms) for IPv4, unsolicited NA to ff02::1
  // (Override=1) for IPv6. Returns the number of frames sent.
  int sendGratuitous(InterfaceContext& ctx, const net::IpAddress& ip,
                     announcer::IpCounters& counters);

 private:
  void handleArp(InterfaceContext& ctx, const wire::Frame& frame);
  void handleNdp(InterfaceContext& ctx, const wire::Frame& frame);
  void duplicate(InterfaceContext& ctx, DuplicateOwnerEvent::Source source,
                 const net::IpAddress& ip, const net::MacAddress& other,
                 announcer::IpCounters* counters);
  bool send(InterfaceContext& ctx, std::span<const uint8_t> frame);

  const announcer::OwnershipTable& table_;
  DuplicateOwnerListener* listener_;
};

}  // namespace ironlb::io
