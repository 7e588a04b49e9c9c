// HostProbe: getifaddrs + arp_ignore sysctls.
#include "speaker/daemon/host_probe.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ironlb::speaker {
namespace {

int readInt(const std::string& path, int fallback) {
  std::ifstream in(path);
  int value = fallback;
  if (!(in >> value)) return fallback;
  return value;
}

}  // namespace

Result<control::HostNetworkState> probeHostNetwork(const std::vector<std::string>& interfaces,
                                                   const std::string& procRoot) {
  control::HostNetworkState state;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return makeError(std::string("getifaddrs: ") + std::strerror(errno));
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_name == nullptr) continue;
    if (a->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      state.addresses.push_back(
          {a->ifa_name,
           net::IpAddress::fromV4Bytes(reinterpret_cast<const uint8_t*>(&sin->sin_addr))});
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      state.addresses.push_back(
          {a->ifa_name, net::IpAddress::fromV6Bytes(sin6->sin6_addr.s6_addr)});
    }
  }
  freeifaddrs(list);
  const std::string conf = procRoot + "/sys/net/ipv4/conf/";
  state.allArpIgnore = readInt(conf + "all/arp_ignore", 0);
  for (const auto& name : interfaces) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      continue;
    state.arpIgnore[name] = readInt(conf + name + "/arp_ignore", 0);
  }
  return state;
}

}  // namespace ironlb::speaker
