#include "speaker/control/kernel_arp_check.h"

#include <gtest/gtest.h>

namespace ironlb::control {
namespace {

net::IpAddress ip(const char* text) {
  return net::IpAddress::parse(text).value();
}

// Built field by field: GCC 12 at -O3 reports a bogus maybe-uninitialized for an empty map
// value-initialised inside an aggregate initialiser.
HostNetworkState state(std::vector<HostAddress> addresses, int allArpIgnore,
                       const std::map<std::string, int>& arpIgnore = {}) {
  HostNetworkState host;
  host.addresses = std::move(addresses);
  host.allArpIgnore = allArpIgnore;
  host.arpIgnore = arpIgnore;
  return host;
}

TEST(KernelArpCheck, Table) {
  const std::set<net::IpAddress> vips = {ip("192.0.2.100"), ip("2001:db8::100")};
  const std::vector<std::string> announcing = {"eth0", "eth1"};
  const struct {
    const char* name;
    HostNetworkState host;
    std::vector<KernelAnswer> want;
  } cases[] = {
      {"IPVS without strictARP: VIP on kube-ipvs0, arp_ignore 0",
       state({{"kube-ipvs0", ip("192.0.2.100")}}, 0),
       {{ip("192.0.2.100"), "eth0", "kube-ipvs0", 0},
        {ip("192.0.2.100"), "eth1", "kube-ipvs0", 0}}},
      {"strictARP: arp_ignore 1 on all", state({{"kube-ipvs0", ip("192.0.2.100")}}, 1), {}},
      {"per-interface arp_ignore counts (max with all)",
       state({{"lo", ip("192.0.2.100")}}, 0, {{"eth1", 1}}),
       {{ip("192.0.2.100"), "eth0", "lo", 0}}},
      {"VIP on the announcing interface itself, arp_ignore 1",
       state({{"eth1", ip("192.0.2.100")}}, 1),
       {{ip("192.0.2.100"), "eth1", "eth1", 1}}},
      {"arp_ignore 8 never answers", state({{"eth1", ip("192.0.2.100")}}, 8), {}},
      {"not a VIP", state({{"kube-ipvs0", ip("192.0.2.7")}}, 0), {}},
      {"IPv6 VIP elsewhere: NDP stays quiet", state({{"kube-ipvs0", ip("2001:db8::100")}}, 0), {}},
      {"IPv6 VIP on the announcing interface",
       state({{"eth0", ip("2001:db8::100")}}, 1),
       {{ip("2001:db8::100"), "eth0", "eth0", 0}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(kernelAnswers(vips, announcing, c.host), c.want);
  }
}

TEST(KernelArpCheck, DescriptionNamesTheFix) {
  const std::string text = describe({ip("192.0.2.100"), "eth0", "kube-ipvs0", 0});
  EXPECT_NE(text.find("192.0.2.100"), std::string::npos);
  EXPECT_NE(text.find("kube-ipvs0"), std::string::npos);
  EXPECT_NE(text.find("strictARP"), std::string::npos);
  EXPECT_NE(describe({ip("2001:db8::1"), "eth0", "eth0", 0}).find("Neighbor Solicitations"),
            std::string::npos);
}

}  // namespace
}  // namespace ironlb::control
