#pragma once
// Link: what the data plane needs to know about one network interface. Filled by the link
// watcher (speaker/io) from netlink, consumed by the pure announcer.

#include <optional>
#include <string>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"

namespace ironlb::announcer {

struct Link {
  int index = 0;
  std::string name;
  net::MacAddress mac;
  bool up = false;        // IFF_UP: administratively up
  bool carrier = false;   // IFF_LOWER_UP / operstate up
  bool noarp = false;     // IFF_NOARP
  bool loopback = false;  // IFF_LOOPBACK
  bool ethernet = true;   // ARPHRD_ETHER
  int master = 0;         // ifindex of the bond/bridge this link is a port of, 0 if none
  // A usable (non-tentative) IPv6 link-local address, if any. Reported for the control plane;
  // the responder sources NAs from the VIP (see speaker/io/responder.h).
  std::optional<net::IpAddress> linkLocal;

  friend bool operator==(const Link&, const Link&) = default;
};

}  // namespace ironlb::announcer
