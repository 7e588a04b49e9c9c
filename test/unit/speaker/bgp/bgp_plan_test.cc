#include "speaker/bgp/bgp_plan.h"

#include <gtest/gtest.h>

namespace ironlb::bgp {
namespace {

using lbconfig::BgpAdvertisement;
using lbconfig::BgpConfig;
using lbconfig::BgpPeer;
using lbconfig::Config;

net::IpAddress ip(std::string_view text) {
  return *net::IpAddress::parse(text);
}
net::Prefix prefix(std::string_view text) {
  return net::Prefix::parse(text)->prefix;
}

lbconfig::Pool pool(const std::string& name, const std::string& cidr) {
  lbconfig::Pool p;
  p.name = name;
  p.ranges.push_back({prefix(cidr).range(), cidr});
  return p;
}

BgpPeer peer(const std::string& name, std::string_view address) {
  BgpPeer p;
  p.name = name;
  p.myAsn = 64512;
  p.peerAsn = 64513;
  p.address = ip(address);
  return p;
}

BgpAdvertisement advertisement(const std::string& name, std::vector<std::string> pools) {
  BgpAdvertisement a;
  a.name = name;
  a.pools = std::move(pools);
  return a;
}

lbconfig::LabelSelector selector(const std::string& key, const std::string& value) {
  return lbconfig::LabelSelector({{key, lbconfig::SelectorOp::kIn, {value}}});
}

control::ServiceInput service(const std::string& key, std::vector<std::string_view> ips,
                              std::vector<std::string> servingNodes = {"node-a", "node-b"},
                              bool local = false) {
  control::ServiceInput s;
  s.key = key;
  for (auto i : ips)
    s.ips.push_back(ip(i));
  s.serving = true;
  s.servingNodes = std::move(servingNodes);
  s.local = local;
  return s;
}

class BgpPlanTest : public ::testing::Test {
 protected:
  Config config() const {
    Config::PoolMap pools;
    for (const auto& p : pools_)
      pools.emplace(p.name, p);
    Config::NodeMap nodes;
    for (const auto& n : nodes_)
      nodes.emplace(n.name, n);
    return Config(std::move(pools), {}, {}, std::move(nodes), {"metallb-system", false});
  }

  NodePlan plan(std::string_view node) const {
    const Config c = config();
    return planBgp(c, bgp_, node, services_);
  }

  void addPeer(BgpPeer p) { bgp_.peers.emplace(p.name, std::move(p)); }

  std::vector<lbconfig::Pool> pools_{pool("public", "203.0.113.0/24"),
                                     pool("v6", "2001:db8:1::/120")};
  std::vector<lbconfig::NodeInfo> nodes_{{"node-a", {{"rack", "a"}}, false, false},
                                         {"node-b", {{"rack", "b"}}, false, false}};
  BgpConfig bgp_;
  std::vector<control::ServiceInput> services_;
};

TEST_F(BgpPlanTest, ClusterPolicyAnnouncesFromEverySelectedNode) {
  addPeer(peer("tor", "192.0.2.1"));
  bgp_.advertisements.push_back(advertisement("all", {"public", "v6"}));
  services_.push_back(service("default/web", {"203.0.113.5"}, {"node-b"}));
  for (std::string_view node : {"node-a", "node-b"}) {
    NodePlan p = plan(node);
    ASSERT_EQ(p.sessions, (std::vector<std::string>{"tor"})) << node;
    ASSERT_EQ(p.peers.size(), 1u);
    ASSERT_EQ(p.peers[0].routes.size(), 1u) << node;
    EXPECT_EQ(p.peers[0].routes[0].prefix, prefix("203.0.113.5/32"));
    ASSERT_EQ(p.verdicts.size(), 1u);
    EXPECT_EQ(p.verdicts[0].reason, Reason::kAnnounced);
    EXPECT_EQ(p.verdicts[0].peers, (std::vector<std::string>{"tor"}));
  }
}

TEST_F(BgpPlanTest, LocalPolicyAnnouncesOnlyWhereAnEndpointServes) {
  addPeer(peer("tor", "192.0.2.1"));
  bgp_.advertisements.push_back(advertisement("all", {"public"}));
  services_.push_back(service("default/web", {"203.0.113.5"}, {"node-b"}, /*local=*/true));
  NodePlan a = plan("node-a");
  EXPECT_TRUE(a.peers[0].routes.empty());
  EXPECT_EQ(a.verdicts[0].reason, Reason::kNoLocalEndpoint);
  EXPECT_TRUE(a.verdicts[0].peers.empty());
  NodePlan b = plan("node-b");
  ASSERT_EQ(b.peers[0].routes.size(), 1u);
  EXPECT_EQ(b.verdicts[0].reason, Reason::kAnnounced);
}

TEST_F(BgpPlanTest, FamiliesGoToTheirOwnSessionsUnlessDualStack) {
  addPeer(peer("v4-peer", "192.0.2.1"));
  addPeer(peer("v6-peer", "2001:db8::1"));
  BgpPeer dual = peer("dual", "192.0.2.2");
  dual.dualStackAddressFamily = true;
  addPeer(dual);
  BgpPeer unnumbered = peer("unnumbered", "192.0.2.3");
  unnumbered.address.reset();
  unnumbered.interfaceName = "eth1";
  addPeer(unnumbered);
  bgp_.advertisements.push_back(advertisement("all", {"public", "v6"}));
  services_.push_back(service("default/web", {"203.0.113.5", "2001:db8:1::5"}));
  NodePlan p = plan("node-a");
  ASSERT_EQ(p.sessions, (std::vector<std::string>{"dual", "unnumbered", "v4-peer", "v6-peer"}));
  EXPECT_EQ(p.peers[0].routes.size(), 2u);  // dual
  EXPECT_EQ(p.peers[1].routes.size(), 2u);  // unnumbered
  ASSERT_EQ(p.peers[2].routes.size(), 1u);
  EXPECT_EQ(p.peers[2].routes[0].prefix, prefix("203.0.113.5/32"));
  ASSERT_EQ(p.peers[3].routes.size(), 1u);
  EXPECT_EQ(p.peers[3].routes[0].prefix, prefix("2001:db8:1::5/128"));
  EXPECT_EQ(p.verdicts[0].peers, (std::vector<std::string>{"dual", "unnumbered", "v4-peer"}));
  EXPECT_EQ(p.verdicts[1].peers, (std::vector<std::string>{"dual", "unnumbered", "v6-peer"}));
}

TEST_F(BgpPlanTest, NodeSelectorsOfPeersAndAdvertisements) {
  BgpPeer rackA = peer("rack-a-tor", "192.0.2.1");
  rackA.nodeSelectors.push_back(selector("rack", "a"));
  addPeer(rackA);
  BgpPeer rackB = peer("rack-b-tor", "192.0.2.2");
  rackB.nodeSelectors.push_back(selector("rack", "b"));
  addPeer(rackB);
  BgpAdvertisement onlyB = advertisement("only-b", {"public"});
  onlyB.nodeSelectors.push_back(selector("rack", "b"));
  bgp_.advertisements.push_back(onlyB);
  services_.push_back(service("default/web", {"203.0.113.5"}));
  NodePlan a = plan("node-a");
  EXPECT_EQ(a.sessions, (std::vector<std::string>{"rack-a-tor"}));
  EXPECT_EQ(a.verdicts[0].reason, Reason::kNodeNotSelected);
  NodePlan b = plan("node-b");
  EXPECT_EQ(b.sessions, (std::vector<std::string>{"rack-b-tor"}));
  EXPECT_EQ(b.verdicts[0].reason, Reason::kAnnounced);
  EXPECT_EQ(b.verdicts[0].peers, (std::vector<std::string>{"rack-b-tor"}));
}

TEST_F(BgpPlanTest, AdvertisementPeersListLimitsTheSessions) {
  addPeer(peer("tor-1", "192.0.2.1"));
  addPeer(peer("tor-2", "192.0.2.2"));
  BgpAdvertisement a = advertisement("to-tor-2", {"public"});
  a.peers = {"tor-2"};
  bgp_.advertisements.push_back(a);
  BgpAdvertisement ghost = advertisement("to-ghost", {"v6"});
  ghost.peers = {"ghost"};
  bgp_.advertisements.push_back(ghost);
  services_.push_back(service("default/web", {"203.0.113.5", "2001:db8:1::5"}));
  NodePlan p = plan("node-a");
  EXPECT_TRUE(p.peers[0].routes.empty());
  EXPECT_EQ(p.peers[1].routes.size(), 1u);
  EXPECT_EQ(p.verdicts[0].peers, (std::vector<std::string>{"tor-2"}));
  EXPECT_EQ(p.verdicts[1].reason, Reason::kNoPeer);
}

TEST_F(BgpPlanTest, AggregationSharesOnePrefix) {
  addPeer(peer("tor", "192.0.2.1"));
  BgpAdvertisement a = advertisement("agg", {"public"});
  a.aggregationLength = 24;
  bgp_.advertisements.push_back(a);
  services_.push_back(service("default/a", {"203.0.113.5"}));
  services_.push_back(service("default/b", {"203.0.113.77"}));
  NodePlan p = plan("node-a");
  ASSERT_EQ(p.peers[0].routes.size(), 1u);
  EXPECT_EQ(p.peers[0].routes[0].prefix, prefix("203.0.113.0/24"));
  EXPECT_EQ(p.verdicts.size(), 2u);
}

TEST_F(BgpPlanTest, AttributesMergedAndLocalPrefConflictReported) {
  addPeer(peer("tor", "192.0.2.1"));
  BgpAdvertisement low = advertisement("low", {"public"});
  low.localPref = 100;
  low.communities = {lbconfig::StandardCommunity{64512, 1}};
  BgpAdvertisement high = advertisement("high", {"public"});
  high.localPref = 200;
  high.communities = {lbconfig::StandardCommunity{64512, 2}, lbconfig::LargeCommunity{1, 2, 3}};
  bgp_.advertisements = {high, low};
  services_.push_back(service("default/web", {"203.0.113.5"}));
  NodePlan p = plan("node-a");
  ASSERT_EQ(p.peers[0].routes.size(), 1u);
  const Route& r = p.peers[0].routes[0];
  EXPECT_EQ(r.localPref, 200u);
  ASSERT_EQ(r.communities.size(), 3u);
  ASSERT_EQ(p.conflicts.size(), 1u);
  EXPECT_EQ(p.conflicts[0].values, (std::vector<uint32_t>{100, 200}));
  EXPECT_EQ(p.conflicts[0].prefix, prefix("203.0.113.5/32"));
}

TEST_F(BgpPlanTest, ReasonsWhenNotAnnounced) {
  addPeer(peer("tor", "192.0.2.1"));
  bgp_.advertisements.push_back(advertisement("public-only", {"public"}));
  services_.push_back(service("default/outside", {"198.51.100.1"}));
  services_.push_back(service("default/l2-only", {"2001:db8:1::9"}));
  control::ServiceInput idle = service("default/idle", {"203.0.113.9"}, {});
  idle.serving = false;
  services_.push_back(idle);
  NodePlan p = plan("node-a");
  ASSERT_EQ(p.verdicts.size(), 3u);  // sorted by Service
  EXPECT_EQ(p.verdicts[0].service, "default/idle");
  EXPECT_EQ(p.verdicts[0].reason, Reason::kNoServingEndpoint);
  EXPECT_EQ(p.verdicts[1].reason, Reason::kNoAdvertisement);
  EXPECT_EQ(p.verdicts[2].reason, Reason::kNotInPool);
  EXPECT_TRUE(p.peers[0].routes.empty());
  EXPECT_EQ(reasonName(Reason::kNoAdvertisement), "no_bgp_advertisement");
}

TEST_F(BgpPlanTest, ExcludedOrUnknownNodeAnnouncesNothingButKeepsSessions) {
  addPeer(peer("tor", "192.0.2.1"));
  bgp_.advertisements.push_back(advertisement("all", {"public"}));
  services_.push_back(service("default/web", {"203.0.113.5"}));
  nodes_[0].excludedFromLoadBalancers = true;
  NodePlan p = plan("node-a");
  EXPECT_EQ(p.sessions, (std::vector<std::string>{"tor"}));
  EXPECT_TRUE(p.peers[0].routes.empty());
  EXPECT_EQ(p.verdicts[0].reason, Reason::kNodeMayNotAnnounce);
  EXPECT_EQ(plan("node-unknown").verdicts[0].reason, Reason::kNodeMayNotAnnounce);
}

}  // namespace
}  // namespace ironlb::bgp
