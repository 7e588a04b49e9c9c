#include "common/lbconfig/pool_address.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>

namespace ironlb::lbconfig {

Result<PoolAddress> parsePoolAddress(std::string_view text) {
  const std::string_view trimmed = net::trimSpace(text);
  if (trimmed.empty()) {
    return Error{
        "empty address entry: expected a CIDR (192.0.2.0/24) or a range "
        "(192.0.2.10-192.0.2.20)"};
  }
  if (trimmed.find('-') != std::string_view::npos) {
    auto range = net::IpRange::parse(trimmed);
    if (!range) return Error{range.error()};
    return PoolAddress{*range, false, false, net::Prefix()};
  }
  auto parsed = net::Prefix::parse(trimmed);
  if (!parsed) return Error{parsed.error()};
  return PoolAddress{parsed->prefix.range(), true, parsed->hostBitsSet, parsed->prefix};
}

std::vector<Overlap> findOverlaps(const std::vector<net::IpRange>& ranges) {
  std::vector<std::size_t> order(ranges.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // IpAddress orders IPv4 before IPv6, so families never interleave; the index breaks ties so
  // the result does not depend on the sort's whims.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(ranges[a].first(), ranges[a].last(), a) <
           std::tie(ranges[b].first(), ranges[b].last(), b);
  });
  std::vector<Overlap> out;
  bool haveReach = false;
  std::size_t reach = 0;  // the range seen so far with the greatest last address
  for (std::size_t i : order) {
    if (haveReach && ranges[reach].overlaps(ranges[i])) out.push_back(Overlap{i, reach});
    if (!haveReach || ranges[reach].family() != ranges[i].family() ||
        ranges[reach].last() < ranges[i].last()) {
      reach = i;
      haveReach = true;
    }
  }
  return out;
}

}  // namespace ironlb::lbconfig
