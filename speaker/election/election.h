#pragma once
// Election: the owner of a Service IP is the candidate node with the smallest
// SHA-256(nodeName + "#" + ip), compared as bytes, where ip is the canonical text of the
// Service's first LB IP (MetalLB's rule, so mixed clusters and users' expectations agree).
// Pure: no I/O, no state. Ties (only possible for duplicate names) break by name.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/net/ip_address.h"

namespace ironlb::election {

using Score = std::array<uint8_t, 32>;  // SHA-256 digest; smaller wins

// SHA-256(node + "#" + ipText). `ipText` must already be canonical (IpAddress::toString()).
Score score(std::string_view node, std::string_view ipText);

// The winning candidate for `ip`, or nullopt when there are no candidates.
std::optional<std::string> winner(std::span<const std::string> candidates,
                                  const net::IpAddress& ip);

// All candidates ordered best first (rank()[0] == winner()); a caller that finds the winner
// ineligible (e.g. lacks the interface) walks down this list.
std::vector<std::string> rank(std::span<const std::string> candidates, const net::IpAddress& ip);

}  // namespace ironlb::election
