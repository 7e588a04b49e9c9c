#pragma once
// Addresses that no host can use as a Service address, whatever a pool says: ironlb never
// assigns them (issue 11: a 0.0.0.0/0 pool handed out 0.0.0.0, and 127.0.0.1 or 224.0.0.1 could
// be requested). The blocks, from the IANA special-purpose registries (RFC 6890 and successors):
//   IPv4  0.0.0.0/8 ("this network": 0.0.0.0 is the unspecified address, the rest may only be a
//         source, RFC 1122), 127.0.0.0/8 loopback, 169.254.0.0/16 link-local, 224.0.0.0/4
//         multicast, 255.255.255.255 limited broadcast;
//   IPv6  :: unspecified, ::1 loopback, ::ffff:0:0/96 IPv4-mapped (the API and ironlb's parser
//         refuse their text, so a Service could never show one), fe80::/10 link-local,
//         ff00::/8 multicast.
// Deliberately not listed: documentation and private ranges (people use them), 240.0.0.0/4 and
// other reserved blocks that some networks route.
//
// MetalLB checks none of this. ironlb accepts a pool entry that contains such addresses, leaves
// them out (lbconfig::build warns, naming them), and rejects an entry made only of them; a
// Service that requests one is refused with this module's reason.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/net/ip_address.h"
#include "common/net/ip_range.h"
#include "common/net/prefix.h"

namespace ironlb::lbconfig {

struct UnusableBlock {
  net::Prefix prefix;
  std::string_view label;   // "loopback": "127.0.0.0/8 (loopback)"
  std::string_view phrase;  // "a loopback address": "127.0.0.1 is a loopback address"
};

// Every block, IPv4 before IPv6, ascending and disjoint.
std::span<const UnusableBlock> unusableBlocks();

// The block holding `ip`, or nullptr.
const UnusableBlock* unusableBlockOf(const net::IpAddress& ip);

// "127.0.0.1 is a loopback address (127.0.0.0/8), which no host can use as a Service address",
// or nullopt for an address that may be assigned.
std::optional<std::string> whyUnusable(const net::IpAddress& ip);

struct UsableParts {
  std::vector<net::IpRange> usable;  // ascending; empty when every address is unusable
  // The unusable addresses the range holds, ascending, one per block touched:
  // "127.0.0.0/8 (loopback)" when it holds the whole block, else the part it holds
  // ("127.255.255.0-127.255.255.255 (loopback)", "255.255.255.255 (limited broadcast)").
  std::vector<std::string> excluded;
};
UsableParts usableParts(const net::IpRange& range);

}  // namespace ironlb::lbconfig
