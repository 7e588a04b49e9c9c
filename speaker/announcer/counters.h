#pragma once
// Plain counters the packet path increments and a later metrics layer reads. Per (interface, IP):
// MetalLB's metallb_layer2_{requests_received,responses_sent,gratuitous_sent} (summed by ip), plus
// ours. Per interface: frames seen and drops by reason.

#include <cstdint>
#include <map>
#include <utility>

#include "common/net/ip_address.h"
#include "speaker/wire/drop_reason.h"

namespace ironlb::announcer {

struct IpCounters {
  uint64_t requestsReceived = 0;    // ARP requests / NS for this IP on this interface
  uint64_t responsesSent = 0;       // ARP replies / solicited NAs sent
  uint64_t gratuitousSent = 0;      // gratuitous ARPs / unsolicited NAs sent
  uint64_t duplicateOwnerSeen = 0;  // another MAC claimed this IP
  uint64_t dadProbesAnswered = 0;   // DAD probes for this IP we defended (RFC 4861 §7.2.4)
};

struct InterfaceCounters {
  uint64_t framesReceived = 0;
  wire::DropCounters drops;
};

// Entries are never erased (Prometheus counters are monotonic) and std::map nodes are stable, so
// the ownership table can hold pointers into it across rebuilds.
struct CounterStore {
  std::map<std::pair<int, net::IpAddress>, IpCounters> byInterfaceIp;
  std::map<int, InterfaceCounters> byInterface;

  IpCounters& ip(int ifindex, const net::IpAddress& address) {
    return byInterfaceIp[{ifindex, address}];
  }
  InterfaceCounters& interface(int ifindex) { return byInterface[ifindex]; }
};

}  // namespace ironlb::announcer
