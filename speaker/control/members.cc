// Members from Nodes: InternalIP of our family at the memberlist port.
#include "speaker/control/members.h"

#include <algorithm>
#include <optional>

namespace ironlb::control {

MemberPlan membersFromNodes(std::span<const api::Node* const> nodes, net::Family family,
                            uint16_t port) {
  MemberPlan plan;
  for (const api::Node* node : nodes) {
    std::optional<net::IpAddress> same, any;
    std::string bad;
    for (const auto& address : node->addresses) {
      if (address.type != "InternalIP") continue;
      auto ip = net::IpAddress::parse(address.address);
      if (!ip.ok()) {
        bad = address.address;
        continue;
      }
      if (!any) any = *ip;
      if (!same && ip->family() == family) same = *ip;
    }
    const std::optional<net::IpAddress> chosen = same ? same : any;
    if (!chosen) {
      plan.skipped.push_back(node->meta.name + ": no usable InternalIP" +
                             (bad.empty() ? "" : " (\"" + bad + "\" does not parse)"));
      continue;
    }
    if (chosen->family() != family) {
      plan.skipped.push_back(node->meta.name + ": InternalIP " + chosen->toString() + " is " +
                             std::string(net::familyName(chosen->family())) +
                             ", our memberlist address is " + std::string(net::familyName(family)));
      continue;
    }
    plan.members.push_back({node->meta.name, {*chosen, port}});
  }
  std::sort(plan.members.begin(), plan.members.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return plan;
}

}  // namespace ironlb::control
