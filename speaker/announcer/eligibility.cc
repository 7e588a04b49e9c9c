// Interface eligibility. Regexes compile once, on configuration; checks run on link changes only.
// libstdc++ 12's <regex> trips GCC's -Wmaybe-uninitialized under -fsanitize=address (a known
// false positive in regex_automaton.h); silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "speaker/announcer/eligibility.h"

namespace ironlb::announcer {

std::string_view ineligibilityName(Ineligibility reason) {
  switch (reason) {
    case Ineligibility::kNone:
      return "eligible";
    case Ineligibility::kDown:
      return "down";
    case Ineligibility::kNotEthernet:
      return "not_ethernet";
    case Ineligibility::kLoopback:
      return "loopback";
    case Ineligibility::kNoArp:
      return "noarp";
    case Ineligibility::kPort:
      return "bond_or_bridge_port";
    case Ineligibility::kExcluded:
      return "excluded";
    case Ineligibility::kMissing:
      return "missing";
  }
  return "unknown";
}

const std::vector<std::string>& defaultExcludePatterns() {
  static const std::vector<std::string> kPatterns = {
      "^docker", "^cbr",  "^dummy",   "^virbr",     "^lxcbr", "^veth",         "^lo$",
      "^cali",   "^tunl", "^flannel", "^kube-ipvs", "^cni",   "^nodelocaldns", "^lxc"};
  return kPatterns;
}

Result<InterfaceFilter> InterfaceFilter::create(const std::vector<std::string>& excludePatterns) {
  InterfaceFilter filter;
  for (const auto& pattern : excludePatterns) {
    try {
      filter.exclude_.emplace_back(pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return makeError("interface exclude pattern \"" + pattern +
                       "\" is not a valid regex: " + e.what());
    }
  }
  return filter;
}

InterfaceFilter InterfaceFilter::withDefaults() {
  return create(defaultExcludePatterns()).value();
}

Ineligibility InterfaceFilter::check(const Link& link) const {
  if (link.loopback) return Ineligibility::kLoopback;
  if (!link.up) return Ineligibility::kDown;
  if (!link.ethernet) return Ineligibility::kNotEthernet;
  if (link.noarp) return Ineligibility::kNoArp;
  if (link.master != 0) return Ineligibility::kPort;
  for (const auto& re : exclude_)
    if (std::regex_search(link.name, re)) return Ineligibility::kExcluded;
  return Ineligibility::kNone;
}

}  // namespace ironlb::announcer
