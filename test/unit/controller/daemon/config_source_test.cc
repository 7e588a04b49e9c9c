// buildConfig: informer JSON -> lbconfig, decode failures make the whole configuration invalid.
#include "controller/daemon/config_source.h"

#include <gtest/gtest.h>

#include <set>

namespace ironlb::controller {
namespace {

using nlohmann::json;

json pool(const std::string& name, json addresses) {
  return {{"metadata", {{"name", name}, {"namespace", "lb"}, {"resourceVersion", "1"}}},
          {"spec", {{"addresses", addresses}}}};
}

TEST(ConfigSourceTest, BuildsFromStores) {
  k8s::ObjectStore pools;
  k8s::ObjectStore ads;
  pools.apply(k8s::WatchEventType::kAdded, pool("a", {"192.0.2.0/28"}));
  ads.apply(k8s::WatchEventType::kAdded,
            {{"metadata", {{"name", "all"}, {"namespace", "lb"}, {"resourceVersion", "1"}}},
             {"spec", json::object()}});
  auto r = buildConfig({.pools = &pools, .l2Advertisements = &ads}, "lb");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.config->pool("a"), nullptr);
  EXPECT_TRUE(r.config->isAdvertised("a"));
}

json deleting(json object) {
  object["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  object["metadata"]["finalizers"] = {"ironlb.io/pool-protection"};
  return object;
}

TEST(ConfigSourceTest, DeletingPoolsServeTheirHoldersUnlessALivePoolTookTheirAddresses) {
  // docs/allocation.md: a deleting pool is out of the configuration; it is handed to the
  // allocator as deleting unless a live pool (a renamed copy) or an earlier deleting one holds
  // its addresses.
  k8s::ObjectStore pools;
  k8s::ObjectStore ads;
  pools.apply(k8s::WatchEventType::kAdded, deleting(pool("a-old", {"192.0.2.0/28"})));
  pools.apply(k8s::WatchEventType::kAdded, pool("b-new", {"192.0.2.0/28"}));  // a renamed
  pools.apply(k8s::WatchEventType::kAdded, deleting(pool("c", {"198.51.100.0/28"})));
  pools.apply(k8s::WatchEventType::kAdded, deleting(pool("d", {"198.51.100.8/29"})));  // in c
  std::vector<lbconfig::Pool> going;
  auto r = buildConfig({.pools = &pools, .l2Advertisements = &ads}, "lb", &going);
  ASSERT_TRUE(r.ok()) << "the overlap with a deleting pool is no configuration error";
  EXPECT_NE(r.config->pool("b-new"), nullptr);
  EXPECT_EQ(r.config->pool("a-old"), nullptr);
  EXPECT_EQ(r.config->pool("c"), nullptr);
  ASSERT_EQ(going.size(), 1u);
  EXPECT_EQ(going[0].name, "c");
  EXPECT_TRUE(going[0].deleting);
}

TEST(ConfigSourceTest, ErrorsNameTheObject) {
  k8s::ObjectStore pools;
  k8s::ObjectStore ads;
  pools.apply(k8s::WatchEventType::kAdded, pool("a", {"192.0.2.0/28"}));
  pools.apply(k8s::WatchEventType::kAdded, pool("b", {"192.0.2.8/29"}));  // overlaps a
  pools.apply(k8s::WatchEventType::kAdded, pool("c", "not-a-list"));      // does not decode
  auto r = buildConfig({.pools = &pools, .l2Advertisements = &ads}, "lb");
  EXPECT_FALSE(r.ok());
  ASSERT_GE(r.errors.size(), 2u);
  bool overlap = false;
  bool undecodable = false;
  for (const auto& e : r.errors) {
    overlap |= e.name == "b" || (e.name == "a" && e.message.find("overlap") != std::string::npos);
    undecodable |= e.name == "c" && e.kind == "IPAddressPool";
  }
  EXPECT_TRUE(overlap);
  EXPECT_TRUE(undecodable);
}

json object(const std::string& name, json spec) {
  return {{"metadata", {{"name", name}, {"namespace", "lb"}, {"resourceVersion", "1"}}},
          {"spec", std::move(spec)}};
}

json peer(const std::string& name) {
  return object(name, {{"myASN", 64512}, {"peerASN", 64513}, {"peerAddress", "192.0.2.1"}});
}

TEST(ConfigSourceTest, APoolOnlyABgpAdvertisementSelectsIsAdvertisedAndNotWarnedAbout) {
  // The controller reads BGP mode's kinds as the speakers do (docs/bgp.md).
  k8s::ObjectStore pools;
  k8s::ObjectStore peers;
  k8s::ObjectStore bgpAds;
  pools.apply(k8s::WatchEventType::kAdded, pool("a", {"192.0.2.0/28"}));
  peers.apply(k8s::WatchEventType::kAdded, peer("tor"));
  bgpAds.apply(k8s::WatchEventType::kAdded, object("a", {{"ipAddressPools", {"a"}}}));
  auto r = buildConfig({.pools = &pools, .bgpPeers = &peers, .bgpAdvertisements = &bgpAds}, "lb");
  ASSERT_TRUE(r.ok()) << r.errors[0].toString();
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0].toString();
  EXPECT_EQ(r.config->bgp().peers.count("tor"), 1u);
  EXPECT_EQ(r.config->bgp().advertisements.size(), 1u);
  // Without the BGPAdvertisement the pool is announced by nobody: the warning names both kinds.
  r = buildConfig({.pools = &pools, .bgpPeers = &peers}, "lb");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].message.find("no L2Advertisement or BGPAdvertisement selects"),
            std::string::npos);
}

TEST(ConfigSourceTest, ABgpErrorAcrossObjectsMakesTheConfigurationInvalid) {
  // The verdict is the speakers': two peers opening one session.
  k8s::ObjectStore peers;
  peers.apply(k8s::WatchEventType::kAdded, peer("first"));
  peers.apply(k8s::WatchEventType::kAdded, peer("second"));
  auto r = buildConfig({.bgpPeers = &peers}, "lb");
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].toString(),
            "BGPPeer lb/second: spec.peerAddress: BGPPeer \"first\" already peers with "
            "\"192.0.2.1\" on port 179 from the same nodes");
}

TEST(ConfigSourceTest, ABgpObjectThatDoesNotDecodeIsAnErrorNamingIt) {
  k8s::ObjectStore bfd;
  k8s::ObjectStore communities;
  k8s::ObjectStore bgpAds;
  bfd.apply(k8s::WatchEventType::kAdded, object("fast", {{"receiveInterval", "fast"}}));
  communities.apply(k8s::WatchEventType::kAdded, object("aliases", {{"communities", 7}}));
  bgpAds.apply(k8s::WatchEventType::kAdded, object("ad", {{"ipAddressPools", "a"}}));
  auto r = buildConfig(
      {.bgpAdvertisements = &bgpAds, .bfdProfiles = &bfd, .communities = &communities}, "lb");
  EXPECT_FALSE(r.ok());
  std::set<std::string> named;
  for (const auto& e : r.errors)
    named.insert(e.kind + " " + e.ns + "/" + e.name);
  EXPECT_EQ(named, (std::set<std::string>{"BFDProfile lb/fast", "Community lb/aliases",
                                          "BGPAdvertisement lb/ad"}));
}

TEST(ConfigSourceTest, ConfigSourcesNameEveryKindOnce) {
  std::set<std::string> kinds;
  for (const ConfigSource& source : configSources()) {
    kinds.insert(source.type->kind);
    EXPECT_EQ(configSourceOf(source.type->kind), &source);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"IPAddressPool", "L2Advertisement", "BGPPeer",
                                          "BGPAdvertisement", "BFDProfile", "Community"}));
  EXPECT_EQ(configSourceOf("ServiceL2Status"), nullptr);
}

}  // namespace
}  // namespace ironlb::controller
