#include "speaker/announcer/eligibility.h"

#include <gtest/gtest.h>

namespace ironlb::announcer {
namespace {

Link up(const char* name) {
  Link l;
  l.index = 2;
  l.name = name;
  l.up = true;
  l.carrier = true;
  return l;
}

TEST(Eligibility, Table) {
  const auto filter = InterfaceFilter::withDefaults();
  struct Case {
    Link link;
    Ineligibility expected;
  };
  Link down = up("eth0");
  down.up = false;
  Link noarp = up("eth0");
  noarp.noarp = true;
  Link port = up("eth0");
  port.master = 5;
  Link lo = up("lo");
  lo.loopback = true;
  Link tun = up("wg0");
  tun.ethernet = false;
  Link noCarrier = up("eth1");
  noCarrier.carrier = false;
  const Case cases[] = {
      {up("eth0"), Ineligibility::kNone},
      {up("bond0"), Ineligibility::kNone},
      {up("br0"), Ineligibility::kNone},
      {up("eth0.100"), Ineligibility::kNone},
      {noCarrier, Ineligibility::kNone},  // keeps its responder; re-announced on carrier
      {down, Ineligibility::kDown},
      {noarp, Ineligibility::kNoArp},
      {port, Ineligibility::kPort},
      {lo, Ineligibility::kLoopback},
      {tun, Ineligibility::kNotEthernet},
      {up("docker0"), Ineligibility::kExcluded},
      {up("veth1234"), Ineligibility::kExcluded},
      {up("cali123"), Ineligibility::kExcluded},
      {up("cni0"), Ineligibility::kExcluded},
      {up("kube-ipvs0"), Ineligibility::kExcluded},
      {up("flannel.1"), Ineligibility::kExcluded},
      {up("lxc12"), Ineligibility::kExcluded},
      {up("nodelocaldns"), Ineligibility::kExcluded},
      {up("dummy0"), Ineligibility::kExcluded},
      {up("lo0"), Ineligibility::kNone},  // "^lo$" is anchored
      {up("myveth"), Ineligibility::kNone},
  };
  for (const auto& c : cases)
    EXPECT_EQ(filter.check(c.link), c.expected) << c.link.name;
}

TEST(Eligibility, ConfigurableAndValidated) {
  auto filter = InterfaceFilter::create({"^eth1$"});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->check(up("eth1")), Ineligibility::kExcluded);
  EXPECT_EQ(filter->check(up("docker0")), Ineligibility::kNone);
  auto bad = InterfaceFilter::create({"(unclosed"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("(unclosed"), std::string::npos);
}

}  // namespace
}  // namespace ironlb::announcer
