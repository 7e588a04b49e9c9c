#include "speaker/control/members.h"

#include <gtest/gtest.h>

namespace ironlb::control {
namespace {

api::Node node(const char* name, std::vector<api::NodeAddress> addresses) {
  api::Node n;
  n.meta.name = name;
  n.addresses = std::move(addresses);
  return n;
}

TEST(Members, InternalIpOfOurFamilyAtThePort) {
  const api::Node a = node("b-node", {{"Hostname", "b"}, {"InternalIP", "192.0.2.2"}});
  const api::Node b = node("a-node", {{"InternalIP", "2001:db8::1"}, {"InternalIP", "192.0.2.1"}});
  const api::Node c = node("c-node", {{"ExternalIP", "198.51.100.1"}});
  const api::Node d = node("d-node", {{"InternalIP", "2001:db8::4"}});
  const api::Node e = node("e-node", {{"InternalIP", "not-an-ip"}});
  const std::vector<const api::Node*> nodes = {&a, &b, &c, &d, &e};

  const MemberPlan v4 = membersFromNodes(nodes, net::Family::kV4, 7946);
  ASSERT_EQ(v4.members.size(), 2u);
  EXPECT_EQ(v4.members[0].name, "a-node");
  EXPECT_EQ(v4.members[0].endpoint.address, net::IpAddress::parse("192.0.2.1").value());
  EXPECT_EQ(v4.members[0].endpoint.port, 7946);
  EXPECT_EQ(v4.members[1].name, "b-node");
  EXPECT_EQ(v4.skipped,
            (std::vector<std::string>{
                "c-node: no usable InternalIP",
                "d-node: InternalIP 2001:db8::4 is IPv6, our memberlist address is IPv4",
                "e-node: no usable InternalIP (\"not-an-ip\" does not parse)"}));

  const MemberPlan v6 = membersFromNodes(nodes, net::Family::kV6, 7946);
  ASSERT_EQ(v6.members.size(), 2u);
  EXPECT_EQ(v6.members[0].endpoint.address, net::IpAddress::parse("2001:db8::1").value());
  EXPECT_EQ(v6.members[1].name, "d-node");
}

}  // namespace
}  // namespace ironlb::control
