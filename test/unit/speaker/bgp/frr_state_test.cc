#include "speaker/bgp/frr_state.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace ironlb::bgp {
namespace {

// Recorded from Debian's FRR 8.4 peering with BIRD 2 in the interoperability test's topology.
std::string testdata(const std::string& name) {
  std::ifstream in(std::string(IRONLB_TESTDATA) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(BgpNeighborsTest, ReadsRecordedFrrOutput) {
  auto r = parseBgpNeighbors(testdata("bgp_neighbors.json"));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  const BgpSessionState& s = (*r)[0];
  EXPECT_EQ(s.neighbor, "192.0.2.1");
  EXPECT_EQ(s.state, "Established");
  EXPECT_TRUE(s.established);
  EXPECT_EQ(s.remoteAs, 64513);
  EXPECT_EQ(s.opensSent, 2);
  EXPECT_EQ(s.opensReceived, 2);
  EXPECT_EQ(s.notificationsReceived, 2);
  EXPECT_EQ(s.updatesReceived, 1);
  EXPECT_EQ(s.keepalivesSent, 2);
  EXPECT_EQ(s.totalSent, 4);
  EXPECT_EQ(s.totalReceived, 7);
  EXPECT_EQ(s.lastResetReason, "BFD down received");
  EXPECT_EQ(s.bfdStatus, "Up");
}

TEST(BgpNeighborsTest, SumsPrefixesOverFamiliesAndSeesDownSessions) {
  auto r = parseBgpNeighbors(R"({
      "192.0.2.1": {"bgpState": "Established", "remoteAs": 64513,
                    "addressFamilyInfo": {"ipv4Unicast": {"sentPrefixCounter": 3},
                                          "ipv6Unicast": {"sentPrefixCounter": 2}}},
      "eth1": {"bgpState": "Active", "remoteAs": 0}})");
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].prefixesSent, 5);
  EXPECT_EQ((*r)[1].neighbor, "eth1");
  EXPECT_FALSE((*r)[1].established);
  EXPECT_EQ((*r)[1].bfdStatus, "");
}

TEST(BgpNeighborsTest, MalformedAnswersAreErrorsNamingTheField) {
  EXPECT_FALSE(parseBgpNeighbors("not json").ok());
  EXPECT_FALSE(parseBgpNeighbors("[]").ok());
  auto r = parseBgpNeighbors(R"({"192.0.2.1": {"bgpState": 6}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("192.0.2.1.bgpState"), std::string::npos) << r.error();
  EXPECT_TRUE(parseBgpNeighbors("{}").ok());  // no neighbors configured
}

TEST(BfdPeersTest, ReadsRecordedFrrOutput) {
  auto r = parseBfdPeers(testdata("bfd_peers.json"));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  const BfdSessionState& s = (*r)[0];
  EXPECT_EQ(s.peer, "192.0.2.1");
  EXPECT_EQ(s.local, "192.0.2.10");
  EXPECT_EQ(s.interfaceName, "eth0");
  EXPECT_FALSE(s.multihop);
  EXPECT_TRUE(s.up);
  EXPECT_EQ(s.diagnostic, "ok");
}

TEST(BfdPeersTest, MalformedAnswersAreErrors) {
  EXPECT_FALSE(parseBfdPeers("{}").ok());
  EXPECT_FALSE(parseBfdPeers("[1]").ok());
  EXPECT_FALSE(parseBfdPeers("").ok());
  auto down = parseBfdPeers(R"([{"peer": "192.0.2.1", "status": "down",
                                  "diagnostic": "control detection time expired"}])");
  ASSERT_TRUE(down.ok()) << down.error();
  EXPECT_FALSE((*down)[0].up);
  EXPECT_EQ((*down)[0].diagnostic, "control detection time expired");
}

}  // namespace
}  // namespace ironlb::bgp
