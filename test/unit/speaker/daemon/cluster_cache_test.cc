#include "speaker/daemon/cluster_cache.h"

#include <gtest/gtest.h>

namespace ironlb::speaker {
namespace {

api::Node node(const std::string& name, const std::string& ip, api::StringMap labels = {}) {
  api::Node n;
  n.meta.name = name;
  n.meta.labels = std::move(labels);
  n.addresses = {{"InternalIP", ip}, {"Hostname", name}};
  n.conditions = {{"Ready", "True"}};
  return n;
}

api::EndpointSlice slice(const std::string& name, const std::string& service,
                         std::vector<std::string> nodes) {
  api::EndpointSlice s;
  s.meta.ns = "ns";
  s.meta.name = name;
  if (!service.empty()) s.meta.labels = {{std::string(api::kServiceNameLabel), service}};
  for (auto& n : nodes) {
    api::Endpoint e;
    e.nodeName = n;
    s.endpoints.push_back(e);
  }
  return s;
}

TEST(ClusterCache, NodeUpdatesOnlyMatterWhenTheirLabelsConditionsOrAddressesChange) {
  ClusterCache cache;
  auto effect = cache.putNode(node("a", "192.0.2.1"));
  EXPECT_TRUE(effect.config && effect.members);
  // A heartbeat-like update (Ready condition, hostname address): nothing to do.
  api::Node again = node("a", "192.0.2.1");
  again.conditions.push_back({"MemoryPressure", "False"});
  effect = cache.putNode(again);
  EXPECT_FALSE(effect.config || effect.members);
  effect = cache.putNode(node("a", "192.0.2.1", {{"zone", "b"}}));
  EXPECT_TRUE(effect.config);
  EXPECT_FALSE(effect.members);
  effect = cache.putNode(node("a", "192.0.2.9", {{"zone", "b"}}));
  EXPECT_FALSE(effect.config);
  EXPECT_TRUE(effect.members);
  api::Node unavailable = node("a", "192.0.2.9", {{"zone", "b"}});
  unavailable.conditions.push_back({"NetworkUnavailable", "True"});
  EXPECT_TRUE(cache.putNode(unavailable).config);
  EXPECT_TRUE(cache.snapshot().nodes.front().networkUnavailable());
  const auto plan = cache.members(net::Family::kV4, 7946);
  ASSERT_EQ(plan.members.size(), 1u);
  EXPECT_EQ(plan.members[0].endpoint.address.toString(), "192.0.2.9");
  effect = cache.removeNode("a");
  EXPECT_TRUE(effect.config && effect.members);
  EXPECT_FALSE(cache.removeNode("a").config);
}

TEST(ClusterCache, PoolStatusUpdatesDoNotRebuildTheConfiguration) {
  ClusterCache cache;
  api::IPAddressPool p;
  p.meta.ns = "metallb-system";
  p.meta.name = "p";
  p.spec.addresses = {"192.0.2.0/28"};
  EXPECT_TRUE(cache.putPool(p));
  p.status.assignedIpv4 = 3;  // the controller's counters
  EXPECT_FALSE(cache.putPool(p));
  p.spec.avoidBuggyIps = true;
  EXPECT_TRUE(cache.putPool(p));
  EXPECT_TRUE(cache.removePool("metallb-system", "p"));
  EXPECT_FALSE(cache.removePool("metallb-system", "p"));
}

template <class T>
T named(const std::string& name) {
  T object;
  object.meta.name = name;
  object.meta.ns = "lb";
  return object;
}

TEST(ClusterCache, BgpObjectsJoinTheSnapshotAndOnlyChangesCount) {
  ClusterCache cache;
  auto peer = named<api::BGPPeer>("tor");
  peer.spec.peerAddress = "192.0.2.1";
  EXPECT_TRUE(cache.putBgp(peer));
  EXPECT_FALSE(cache.putBgp(peer));  // a relist of the same object changes nothing
  EXPECT_TRUE(cache.hasBgpPeers());
  EXPECT_TRUE(cache.putBgp(named<api::BGPAdvertisement>("all")));
  EXPECT_TRUE(cache.putBgp(named<api::BFDProfile>("fast")));
  EXPECT_TRUE(cache.putBgp(named<api::Community>("aliases")));
  auto snapshot = cache.snapshot();
  ASSERT_EQ(snapshot.bgp.peers.size(), 1u);
  EXPECT_EQ(snapshot.bgp.peers[0].spec.peerAddress, "192.0.2.1");
  EXPECT_EQ(snapshot.bgp.advertisements.size(), 1u);
  EXPECT_EQ(snapshot.bgp.bfdProfiles.size(), 1u);
  EXPECT_EQ(snapshot.bgp.communities.size(), 1u);

  EXPECT_TRUE(cache.removeBgp("BGPPeer", "lb", "tor"));
  EXPECT_FALSE(cache.removeBgp("BGPPeer", "lb", "tor"));
  EXPECT_FALSE(cache.hasBgpPeers());
  EXPECT_TRUE(cache.removeBgp("Community", "lb", "aliases"));
  EXPECT_TRUE(cache.snapshot().bgp.peers.empty());
}

TEST(ClusterCache, AnyConfigurationKindGoesToItsTypedPut) {
  ClusterCache cache;
  auto pool = named<api::IPAddressPool>("p");
  pool.spec.addresses = {"192.0.2.0/28"};
  EXPECT_TRUE(cache.putConfig(pool));
  pool.status.assignedIpv4 = 3;  // the pool's own rule: status-only updates change nothing
  EXPECT_FALSE(cache.putConfig(pool));
  EXPECT_TRUE(cache.putConfig(named<api::L2Advertisement>("l2")));
  EXPECT_TRUE(cache.putConfig(named<api::BGPPeer>("tor")));
  const auto snapshot = cache.snapshot();
  EXPECT_EQ(snapshot.pools.size(), 1u);
  EXPECT_EQ(snapshot.l2Advertisements.size(), 1u);
  EXPECT_EQ(snapshot.bgp.peers.size(), 1u);
  EXPECT_TRUE(cache.removeConfig("IPAddressPool", "lb", "p"));
  EXPECT_TRUE(cache.removeConfig("L2Advertisement", "lb", "l2"));
  EXPECT_TRUE(cache.removeConfig("BGPPeer", "lb", "tor"));
  EXPECT_FALSE(cache.removeConfig("BGPPeer", "lb", "tor"));
  EXPECT_FALSE(cache.removeConfig("Service", "lb", "tor"));
}

TEST(ClusterCache, EndpointSlicesFeedTheirService) {
  ClusterCache cache;
  api::Service svc;
  svc.meta.ns = "ns";
  svc.meta.name = "web";
  svc.spec.type = "LoadBalancer";
  svc.spec.externalTrafficPolicy = api::TrafficPolicy::kLocal;
  svc.status.ingress = {{"192.0.2.1", "", std::nullopt}};
  EXPECT_EQ(cache.putService(svc), "ns/web");
  EXPECT_EQ(cache.putSlice(slice("web-1", "web", {"n1"})), std::vector<std::string>{"ns/web"});
  EXPECT_EQ(cache.putSlice(slice("web-2", "web", {"n2", "n1"})),
            std::vector<std::string>{"ns/web"});
  auto in = cache.serviceInput("ns/web", "");
  ASSERT_TRUE(in.input.has_value());
  EXPECT_EQ(in.input->servingNodes, (std::vector<std::string>{"n1", "n2"}));
  // A slice relabelled to another Service affects both.
  EXPECT_EQ(cache.putSlice(slice("web-2", "api", {"n2"})),
            (std::vector<std::string>{"ns/web", "ns/api"}));
  EXPECT_EQ(cache.serviceInput("ns/web", "").input->servingNodes, std::vector<std::string>{"n1"});
  EXPECT_EQ(cache.removeSlice("ns", "web-1"), std::vector<std::string>{"ns/web"});
  EXPECT_FALSE(cache.serviceInput("ns/web", "").input->serving);
  EXPECT_TRUE(cache.putSlice(slice("orphan", "", {"n1"})).empty());
  EXPECT_EQ(cache.removeService("ns", "web"), "ns/web");
  EXPECT_FALSE(cache.serviceInput("ns/web", "").input.has_value());
}

}  // namespace
}  // namespace ironlb::speaker
