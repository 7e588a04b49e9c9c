#include "speaker/control/withdrawal.h"

#include <gtest/gtest.h>

#include "test/support/links.h"

namespace ironlb::control {
namespace {

announcer::Link link(int index, const char* name, bool carrier, bool up = true) {
  return testsupport::makeLink(index, name, up, carrier);
}

TEST(Withdrawal, Table) {
  const auto filter = announcer::InterfaceFilter::withDefaults();
  const lbconfig::InterfaceSet all{true, {}};
  const lbconfig::InterfaceSet eth1{false, {"eth1"}};
  const lbconfig::InterfaceSet none{false, {}};
  const struct {
    const char* name;
    lbconfig::InterfaceSet wanted;
    std::vector<announcer::Link> links;
    WithdrawalVerdict want;
  } cases[] = {
      {"all: one link with carrier is enough",
       all,
       {link(2, "eth0", false), link(3, "eth1", true)},
       {}},
      {"all: no carrier anywhere",
       all,
       {link(2, "eth0", false), link(3, "eth1", false)},
       {true, "no carrier on eth0, eth1"}},
      {"excluded and down links do not count",
       all,
       {link(2, "docker0", true), link(3, "eth0", true, false)},
       {true, "no eligible interface on this node"}},
      {"named: carrier elsewhere does not help",
       eth1,
       {link(2, "eth0", true), link(3, "eth1", false)},
       {true, "no carrier on eth1"}},
      {"named: present with carrier", eth1, {link(2, "eth0", false), link(3, "eth1", true)}, {}},
      {"named: missing",
       eth1,
       {link(2, "eth0", true)},
       {true, "none of the advertised interfaces (eth1) is an eligible interface on this node"}},
      {"no advertisement selects the node: nothing to withdraw from",
       none,
       {link(2, "eth0", false)},
       {}},
      {"no links at all", all, {}, {true, "no eligible interface on this node"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(judgeWithdrawal(c.wanted, c.links, filter), c.want);
  }
}

TEST(MemberLink, Table) {
  const auto ip = [](const char* text) { return *net::IpAddress::parse(text); };
  const std::vector<HostAddress> addresses = {{"lo", ip("127.0.0.1")},
                                              {"eth0", ip("192.0.2.10")},
                                              {"eth0", ip("2001:db8:1::10")},
                                              {"br0", ip("192.0.2.20")}};
  const struct {
    const char* name;
    const char* address;
    std::vector<announcer::Link> links;
    MemberLink want;
  } cases[] = {
      {"carrier", "192.0.2.10", {link(2, "eth0", true)}, {"eth0", true}},
      {"no carrier", "192.0.2.10", {link(2, "eth0", false)}, {"eth0", false}},
      {"administratively down", "2001:db8:1::10", {link(2, "eth0", true, false)}, {"eth0", false}},
      {"the bridge holding the address decides, not its ports",
       "192.0.2.20",
       {link(2, "eth0", false), link(4, "br0", true)},
       {"br0", true}},
      {"address on no interface: unknown counts as up", "192.0.2.99", {link(2, "eth0", false)}, {}},
      {"interface not (yet) seen by the link watcher", "192.0.2.10", {}, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(judgeMemberLink(ip(c.address), addresses, c.links), c.want);
  }
}

}  // namespace
}  // namespace ironlb::control
