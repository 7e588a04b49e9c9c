// Withdrawal verdict from the wanted interfaces and the current links.
#include "speaker/control/withdrawal.h"

#include <algorithm>

namespace ironlb::control {

WithdrawalVerdict judgeWithdrawal(const lbconfig::InterfaceSet& wanted,
                                  const std::vector<announcer::Link>& links,
                                  const announcer::InterfaceFilter& filter) {
  if (wanted.none()) return {};
  std::vector<std::string> usable;  // eligible and wanted
  for (const auto& link : links) {
    if (filter.check(link) != announcer::Ineligibility::kNone) continue;
    if (!wanted.all && !wanted.contains(link.name)) continue;
    if (link.carrier) return {};
    usable.push_back(link.name);
  }
  std::sort(usable.begin(), usable.end());
  if (usable.empty()) {
    std::string names;
    for (const auto& n : wanted.names)
      names += (names.empty() ? "" : ", ") + n;
    return {true, wanted.all ? "no eligible interface on this node"
                             : "none of the advertised interfaces (" + names +
                                   ") is an eligible interface on this node"};
  }
  std::string names;
  for (const auto& n : usable)
    names += (names.empty() ? "" : ", ") + n;
  return {true, "no carrier on " + names};
}

MemberLink judgeMemberLink(const net::IpAddress& address, const std::vector<HostAddress>& addresses,
                           const std::vector<announcer::Link>& links) {
  for (const auto& a : addresses) {
    if (a.ip != address) continue;
    for (const auto& link : links) {
      if (link.name == a.interface) return {link.name, link.up && link.carrier};
    }
  }
  return {};
}

}  // namespace ironlb::control
