#pragma once
// One spec.addresses entry of an IPAddressPool, parsed: a CIDR ("192.0.2.0/28") or an
// inclusive range ("192.0.2.10-192.0.2.20"), and the detection of overlaps between entries.
//
// MetalLB compatibility (internal/config/config.go ParseCIDR, checked via the search tool):
//  - an entry containing '-' is a range, split at the first '-', each side whitespace-trimmed,
//    first <= last; anything else is a CIDR. A range mixing IPv4 and IPv6 is an error here
//    (MetalLB fails to summarize it and ends up with an unusable entry).
//  - a CIDR with host bits set ("192.0.2.130/28") is accepted and masked (Go's
//    net.ParseCIDR does the same); build() adds a warning because it is usually a typo.
//  - ironlb also trims whitespace around a CIDR, where MetalLB rejects it: strictly more
//    lenient, so every MetalLB-valid entry means the same here.
//  - overlaps: MetalLB compares every CIDR with every other (quadratic); we sort and sweep,
//    O(n log n), with the same verdict: sharing at least one address is an overlap, touching
//    ranges (x.10-x.20 and x.21-x.30) are fine.

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/net/ip_range.h"
#include "common/util/result.h"

namespace ironlb::lbconfig {

struct PoolAddress {
  net::IpRange range;
  bool isCidr = false;
  bool hostBitsMasked = false;  // CIDR only: the text had bits set beyond the prefix
  net::Prefix prefix;           // CIDR only: the masked prefix
};

// The error text quotes the entry and says what is wrong with it.
Result<PoolAddress> parsePoolAddress(std::string_view text);

// For each range that shares an address with a range before it in address order, the pair
// (index of that range, index of the earlier range reaching furthest). Each overlapping range
// is reported once; identical ranges are reported too (they are the worst overlap). O(n log n).
struct Overlap {
  std::size_t range;
  std::size_t earlier;
};
std::vector<Overlap> findOverlaps(const std::vector<net::IpRange>& ranges);

}  // namespace ironlb::lbconfig
