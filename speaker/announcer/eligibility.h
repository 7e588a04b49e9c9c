#pragma once
// Which interfaces may answer ARP/NDP (docs/announcement.md): administratively up, Ethernet,
// ARP-capable, not loopback, not a bond/bridge port (the master answers), and not matching the
// exclude list. Carrier is deliberately not required: a link without carrier keeps its responder
// and is re-announced when carrier returns.

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "speaker/announcer/link.h"

namespace ironlb::announcer {

enum class Ineligibility {
  kNone,
  kDown,
  kNotEthernet,
  kLoopback,
  kNoArp,
  kPort,      // enslaved to a bond or bridge
  kExcluded,  // name matches the exclude list
  kMissing,   // no such interface (for refusals only)
};

std::string_view ineligibilityName(Ineligibility reason);

// MetalLB's default exclude list: container, CNI and virtual interfaces.
const std::vector<std::string>& defaultExcludePatterns();

class InterfaceFilter {
 public:
  // ECMAScript regexes matched against the interface name (search, not full match: anchor them).
  static Result<InterfaceFilter> create(const std::vector<std::string>& excludePatterns);
  static InterfaceFilter withDefaults();

  Ineligibility check(const Link& link) const;

 private:
  std::vector<std::regex> exclude_;
};

}  // namespace ironlb::announcer
