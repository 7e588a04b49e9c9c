// KernelArpCheck: Linux's ARP/NDP answering rules applied to the host's addresses.
#include "speaker/control/kernel_arp_check.h"

#include <algorithm>

namespace ironlb::control {
namespace {

int effectiveArpIgnore(const HostNetworkState& host, const std::string& interface) {
  auto it = host.arpIgnore.find(interface);
  const int own = it == host.arpIgnore.end() ? 0 : it->second;
  return std::max(host.allArpIgnore, own);
}

bool kernelAnswersV4(int arpIgnore, bool onSameInterface) {
  if (arpIgnore == 0) return true;
  if (arpIgnore == 1 || arpIgnore == 2) return onSameInterface;
  return false;
}

}  // namespace

std::vector<KernelAnswer> kernelAnswers(const std::set<net::IpAddress>& vips,
                                        const std::vector<std::string>& announcing,
                                        const HostNetworkState& host) {
  std::vector<KernelAnswer> out;
  for (const auto& address : host.addresses) {
    if (vips.count(address.ip) == 0) continue;
    for (const auto& interface : announcing) {
      const bool same = interface == address.interface;
      if (address.ip.isV4()) {
        const int ignore = effectiveArpIgnore(host, interface);
        if (kernelAnswersV4(ignore, same))
          out.push_back({address.ip, interface, address.interface, ignore});
      } else if (same) {
        out.push_back({address.ip, interface, address.interface, 0});
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string describe(const KernelAnswer& a) {
  const std::string ip = a.ip.toString();
  if (a.ip.isV6()) {
    return "the kernel answers Neighbor Solicitations for " + ip + " on " + a.interface +
           " because the address is configured on it: remove it from " + a.interface +
           " (put it on lo if the node must accept traffic for it)";
  }
  if (a.interface == a.assignedTo) {
    return "the kernel answers ARP for " + ip + " on " + a.interface +
           " because the address is configured on it: remove it from " + a.interface +
           " (put it on lo or kube-ipvs0 with arp_ignore=1)";
  }
  return "the kernel answers ARP for " + ip + " on " + a.interface + " because " + ip +
         " is configured on " + a.assignedTo + " and arp_ignore is " + std::to_string(a.arpIgnore) +
         " on " + a.interface +
         ": every node then answers for the VIP, not only the elected owner. With kube-proxy "
         "in IPVS mode set strictARP: true in its configuration (it sets arp_ignore=1 and "
         "arp_announce=2), or set net.ipv4.conf.all.arp_ignore=1";
}

}  // namespace ironlb::control
