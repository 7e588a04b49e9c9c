#include "common/lbconfig/config.h"

#include <gtest/gtest.h>

#include <memory>

namespace ironlb::lbconfig {
namespace {

net::IpAddress ip(const char* text) {
  return *net::IpAddress::parse(text);
}

Pool pool(const std::string& name, std::initializer_list<const char*> ranges) {
  Pool p;
  p.name = name;
  for (const char* r : ranges) {
    const std::string text = r;
    const auto range = text.find('-') != std::string::npos
                           ? *net::IpRange::parse(text)
                           : net::Prefix::parse(text)->prefix.range();
    p.ranges.push_back(PoolRange{range, text});
  }
  return p;
}

LabelSelector in(const std::string& key, const std::string& value) {
  return LabelSelector({{key, SelectorOp::kIn, {value}}});
}

NodeInfo node(const std::string& name, Labels labels, bool unavailable = false) {
  NodeInfo n{name, std::move(labels), unavailable, false};
  n.excludedFromLoadBalancers = n.labels.count(std::string(kExcludeFromLoadBalancersLabel)) != 0;
  return n;
}

// Pools a (v4 + v6), b (v4), c (no advertisement); advertisements:
//   all-nodes:   pool a, every node, every interface, every Service
//   rack1-eth1:  pools a and b, nodes with rack=1, eth1, Services with app=web
//   rack2-bond:  pool b, nodes with rack=2, bond0 and eth2
Config makeConfig(bool ignoreExclude = false) {
  Config::PoolMap pools;
  pools.emplace("a", pool("a", {"192.0.2.0/28", "2001:db8::/120"}));
  pools.emplace("b", pool("b", {"192.0.2.16-192.0.2.20", "198.51.100.0/24"}));
  pools.emplace("c", pool("c", {"203.0.113.0/24"}));
  std::vector<L2Advertisement> ads;
  ads.push_back(L2Advertisement{"all-nodes", {"a"}, {}, {}, {}});
  ads.push_back(
      L2Advertisement{"rack1-eth1", {"a", "b"}, {in("rack", "1")}, {"eth1"}, {in("app", "web")}});
  ads.push_back(L2Advertisement{"rack2-bond", {"b"}, {in("rack", "2")}, {"bond0", "eth2"}, {}});
  Config::NamespaceMap namespaces;
  namespaces.emplace("team-a", Labels{{"tier", "gold"}});
  Config::NodeMap nodes;
  for (auto n : {node("n1", {{"rack", "1"}}), node("n2", {{"rack", "2"}}),
                 node("n3", {{"rack", "1"}, {std::string(kExcludeFromLoadBalancersLabel), ""}}),
                 node("n4", {{"rack", "2"}}, true), node("n5", {{"rack", "3"}})}) {
    nodes.emplace(n.name, n);
  }
  return Config(std::move(pools), std::move(ads), std::move(namespaces), std::move(nodes),
                ConfigOptions{"metallb-system", ignoreExclude});
}

TEST(ConfigTest, PoolContainingFindsTheOwningRange) {
  const Config config = makeConfig();
  const struct {
    const char* ip;
    const char* pool;  // nullptr: none
  } cases[] = {
      {"192.0.2.0", "a"},      {"192.0.2.15", "a"},
      {"192.0.2.16", "b"},     {"192.0.2.20", "b"},
      {"192.0.2.21", nullptr}, {"192.0.1.255", nullptr},
      {"0.0.0.0", nullptr},    {"198.51.100.255", "b"},
      {"203.0.113.7", "c"},    {"255.255.255.255", nullptr},
      {"2001:db8::ff", "a"},   {"2001:db8::100", nullptr},
      {"::", nullptr},         {"::c000:201", nullptr},  // IPv6 with IPv4 pool's number
  };
  for (const auto& c : cases) {
    const Pool* p = config.poolContaining(ip(c.ip));
    if (c.pool == nullptr) {
      EXPECT_EQ(p, nullptr) << c.ip << " -> " << (p ? p->name : "");
    } else {
      ASSERT_NE(p, nullptr) << c.ip;
      EXPECT_EQ(p->name, c.pool) << c.ip;
    }
  }
  EXPECT_EQ(config.pool("b")->name, "b");
  EXPECT_EQ(config.pool("zz"), nullptr);
  EXPECT_EQ(Config().poolContaining(ip("192.0.2.1")), nullptr);
}

TEST(ConfigTest, CopiesAreIndependent) {
  auto original = std::make_unique<Config>(makeConfig());
  Config copy(*original);
  Config assigned;
  assigned = *original;
  Config moved(std::move(*original));
  original.reset();  // an index pointing into the original would now dangle (ASan checks)
  for (const Config* c : {&copy, &assigned, &moved}) {
    ASSERT_NE(c->poolContaining(ip("198.51.100.9")), nullptr);
    EXPECT_EQ(c->poolContaining(ip("198.51.100.9")), c->pool("b"));
    EXPECT_EQ(c->advertisementsFor("b", {{"app", "web"}}).size(), 2u);
  }
  EXPECT_EQ(copy, assigned);
}

TEST(ConfigTest, AdvertisementsForPoolAndService) {
  const Config config = makeConfig();
  const auto names = [](const Config::Advertisements& ads) {
    std::vector<std::string> out;
    for (const auto* a : ads)
      out.push_back(a->name);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(config.advertisementsFor("a", {{"app", "web"}})), (V{"all-nodes", "rack1-eth1"}));
  EXPECT_EQ(names(config.advertisementsFor("a", {{"app", "db"}})), (V{"all-nodes"}));
  EXPECT_EQ(names(config.advertisementsFor("b", {})), (V{"rack2-bond"}));
  EXPECT_EQ(names(config.advertisementsFor("c", {})), V{});
  EXPECT_EQ(names(config.advertisementsFor("nope", {})), V{});
  EXPECT_EQ(names(config.advertisementsFor(ip("192.0.2.17"), {{"app", "web"}})),
            (V{"rack1-eth1", "rack2-bond"}));
  EXPECT_EQ(names(config.advertisementsFor(ip("203.0.113.200"), {})), V{});
  EXPECT_EQ(names(config.advertisementsFor(ip("10.0.0.1"), {})), V{});
  EXPECT_TRUE(config.isAdvertised("a"));
  EXPECT_FALSE(config.isAdvertised("c"));
}

TEST(ConfigTest, CandidateNodesExcludeUnavailableAndLabelledNodes) {
  const Config config = makeConfig();
  using V = std::vector<std::string>;
  // n3 carries the exclude label, n4 is NetworkUnavailable, n5 matches no selector.
  const auto webB = config.advertisementsFor("b", {{"app", "web"}});
  EXPECT_EQ(config.candidateNodes(webB), (V{"n1", "n2"}));
  const auto allA = config.advertisementsFor("a", {});
  EXPECT_EQ(config.candidateNodes(allA), (V{"n1", "n2", "n5"}));
  EXPECT_EQ(config.candidateNodes({}), V{});  // no advertisement: nobody announces
  EXPECT_FALSE(config.nodeMayAnnounce("n3"));
  EXPECT_FALSE(config.nodeMayAnnounce("n4"));
  EXPECT_FALSE(config.nodeMayAnnounce("unknown"));
  EXPECT_TRUE(config.selectsNode(config.l2Advertisements()[1], "n3"));
  EXPECT_FALSE(config.selectsNode(config.l2Advertisements()[1], "n2"));
  EXPECT_FALSE(config.selectsNode(config.l2Advertisements()[0], "unknown"));

  const Config ignoring = makeConfig(/*ignoreExclude=*/true);
  EXPECT_TRUE(ignoring.nodeMayAnnounce("n3"));
  EXPECT_FALSE(ignoring.nodeMayAnnounce("n4"));  // NetworkUnavailable still counts
  EXPECT_EQ(ignoring.candidateNodes(ignoring.advertisementsFor("b", {{"app", "web"}})),
            (V{"n1", "n2", "n3"}));
}

TEST(ConfigTest, InterfacesAreUnionedAndAllWins) {
  const Config config = makeConfig();
  const auto webB = config.advertisementsFor("b", {{"app", "web"}});  // rack1-eth1, rack2-bond
  EXPECT_EQ(config.interfacesOn("n1", webB), (InterfaceSet{false, {"eth1"}}));
  EXPECT_EQ(config.interfacesOn("n2", webB), (InterfaceSet{false, {"bond0", "eth2"}}));
  EXPECT_TRUE(config.interfacesOn("n5", webB).none());
  EXPECT_TRUE(config.interfacesOn("unknown", webB).none());

  const auto webA = config.advertisementsFor("a", {{"app", "web"}});  // all-nodes, rack1-eth1
  const InterfaceSet n1 = config.interfacesOn("n1", webA);
  EXPECT_TRUE(n1.all);  // all-nodes has no interface list
  EXPECT_TRUE(n1.contains("anything0"));
  EXPECT_FALSE(InterfaceSet{}.contains("eth0"));
  EXPECT_TRUE((InterfaceSet{false, {"eth1"}}).contains("eth1"));
}

TEST(ConfigTest, AdmitsLooksUpNamespaceLabels) {
  Config::PoolMap pools;
  Pool gold = pool("gold", {"192.0.2.0/28"});
  gold.serviceAllocation = ServiceAllocation{1, {}, {in("tier", "gold")}, {}};
  pools.emplace("gold", gold);
  Config::NamespaceMap namespaces;
  namespaces.emplace("team-a", Labels{{"tier", "gold"}});
  namespaces.emplace("team-b", Labels{{"tier", "silver"}});
  const Config config(std::move(pools), {}, std::move(namespaces), {}, {});
  const Pool& p = *config.pool("gold");
  EXPECT_TRUE(config.admits(p, "team-a", {}));
  EXPECT_FALSE(config.admits(p, "team-b", {}));
  EXPECT_FALSE(config.admits(p, "unknown", {}));  // unknown namespace: no labels
  EXPECT_TRUE(config.namespaceLabels("unknown").empty());
  EXPECT_EQ(config.namespaceLabels("team-a").at("tier"), "gold");
  const Labels serviceLabels{{"app", "x"}};
  const ServiceView view = config.serviceView("team-a", serviceLabels);
  EXPECT_EQ(view.ns, "team-a");
  EXPECT_EQ(&view.labels, &serviceLabels);
  EXPECT_TRUE(p.admits(view));
}

}  // namespace
}  // namespace ironlb::lbconfig
