#pragma once
// KernelArpCheck: would this node's own kernel answer ARP/NDP for an LB IP? Pure: the daemon
// passes in the host's addresses and ARP sysctls (speaker/daemon/host_probe.h reads them).
//
// The classic case is kube-proxy in IPVS mode without strictARP: it puts every LB IP on the
// dummy interface kube-ipvs0 and leaves arp_ignore at 0, so every node's kernel answers ARP
// for every VIP on every interface, whoever the elected owner is (docs/announcement.md).
// Linux rules used here:
//  - IPv4: an ARP request for a local address arriving on interface I is answered when the
//    effective arp_ignore of I (the maximum of conf/all and conf/I) is 0 — the address may be on
//    any interface — or is 1 or 2 and the address is on I itself. 3 and above (and 8) restrict
//    further and are treated as not answering.
//  - IPv6: a Neighbor Solicitation is answered only for an address on the receiving interface.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/net/ip_address.h"

namespace ironlb::control {

struct HostAddress {
  std::string interface;
  net::IpAddress ip;
};

struct HostNetworkState {
  std::vector<HostAddress> addresses;
  int allArpIgnore = 0;                  // net.ipv4.conf.all.arp_ignore
  std::map<std::string, int> arpIgnore;  // net.ipv4.conf.<if>.arp_ignore
};

struct KernelAnswer {
  net::IpAddress ip;
  std::string interface;   // where the kernel would answer (an interface we announce on)
  std::string assignedTo;  // where the address is configured
  int arpIgnore = 0;       // effective arp_ignore on `interface` (IPv4)

  friend bool operator==(const KernelAnswer&, const KernelAnswer&) = default;
  friend auto operator<=>(const KernelAnswer& a, const KernelAnswer& b) {
    if (auto c = a.ip <=> b.ip; c != 0) return c;
    return a.interface <=> b.interface;
  }
};

// For every LB IP in `vips` configured on this host: the interfaces among `announcing` (the
// eligible interfaces the speaker answers on) where the kernel would answer for it too.
std::vector<KernelAnswer> kernelAnswers(const std::set<net::IpAddress>& vips,
                                        const std::vector<std::string>& announcing,
                                        const HostNetworkState& host);

// One line an operator can act on, naming the fix.
std::string describe(const KernelAnswer& answer);

}  // namespace ironlb::control
