#include "common/lbconfig/bgp_build.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ironlb::lbconfig {
namespace {

constexpr const char* kNs = "metallb-system";

Pool pool(const std::string& name, const std::string& cidr, Labels labels = {}) {
  Pool p;
  p.name = name;
  p.labels = std::move(labels);
  auto parsed = net::Prefix::parse(cidr);
  EXPECT_TRUE(parsed.ok()) << cidr;
  p.ranges.push_back(PoolRange{parsed->prefix.range(), cidr});
  return p;
}

api::BGPPeer peer(const std::string& name, const std::string& address = "192.0.2.1",
                  int64_t peerAsn = 64513) {
  api::BGPPeer p;
  p.meta.name = name;
  p.meta.ns = kNs;
  p.spec.myAsn = 64512;
  p.spec.peerAsn = peerAsn;
  p.spec.peerAddress = address;
  return p;
}

api::BGPAdvertisement advertisement(const std::string& name, std::vector<std::string> pools = {}) {
  api::BGPAdvertisement a;
  a.meta.name = name;
  a.meta.ns = kNs;
  a.spec.ipAddressPools = std::move(pools);
  return a;
}

api::BFDProfile bfd(const std::string& name) {
  api::BFDProfile b;
  b.meta.name = name;
  b.meta.ns = kNs;
  return b;
}

struct Built {
  BgpBuildResult result;
  std::vector<Issue> errors;
  std::vector<Issue> warnings;

  // The one error at `path` of object `name`, as text ("" when there is none).
  std::string errorAt(const std::string& name, const std::string& path) const {
    for (const Issue& i : errors) {
      if (i.name == name && i.path == path) return i.toString();
    }
    return "";
  }
};

class BgpBuildTest : public ::testing::Test {
 protected:
  Built build(bool missingIsError = false) {
    Built out;
    std::vector<const Pool*> poolPtrs;
    for (const Pool& p : pools_)
      poolPtrs.push_back(&p);
    BuildScope scope(kNs, out.errors, out.warnings);
    out.result = buildBgp(snapshot_, poolPtrs, scope, missingIsError);
    return out;
  }

  std::vector<Pool> pools_{pool("public", "203.0.113.0/24", {{"tier", "edge"}}),
                           pool("v6", "2001:db8:1::/120")};
  BgpSnapshot snapshot_;
};

TEST_F(BgpBuildTest, ValidObjectsResolveEveryReference) {
  api::BGPPeer p = peer("tor-a");
  p.spec.bfdProfile = "fast";
  p.spec.holdTime = "9s";
  p.spec.keepaliveTime = "3s";
  p.spec.connectTime = "5s";
  p.spec.passwordSecret = {"tor-a-auth", kNs};
  p.spec.sourceAddress = "192.0.2.10";
  p.spec.routerId = "192.0.2.10";
  p.spec.nodeSelectors.push_back({{{"rack", "a"}}, {}});
  snapshot_.peers.push_back(p);
  api::BFDProfile f = bfd("fast");
  f.spec.receiveInterval = 100;
  f.spec.transmitInterval = 100;
  snapshot_.bfdProfiles.push_back(f);
  api::Community c;
  c.meta.name = "aliases";
  c.meta.ns = kNs;
  c.communities = {{"no-advertise", "65535:65282"}};
  snapshot_.communities.push_back(c);
  api::BGPAdvertisement a = advertisement("edge", {"public"});
  a.spec.aggregationLength = 28;
  a.spec.localPref = 200;
  a.spec.communities = {"no-advertise", "64512:7", "large:64512:1:2"};
  a.spec.peers = {"tor-a"};
  snapshot_.advertisements.push_back(a);

  Built b = build();
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].toString();
  EXPECT_TRUE(b.warnings.empty()) << b.warnings[0].toString();
  const BgpConfig& cfg = b.result.config;
  ASSERT_EQ(cfg.peers.count("tor-a"), 1u);
  const BgpPeer& tor = cfg.peers.at("tor-a");
  EXPECT_EQ(tor.myAsn, 64512u);
  EXPECT_EQ(tor.peerAsn, 64513u);
  EXPECT_EQ(tor.address->toString(), "192.0.2.1");
  EXPECT_EQ(tor.sourceAddress->toString(), "192.0.2.10");
  EXPECT_EQ(tor.port, 179);
  EXPECT_EQ(tor.holdTimeS, 9u);
  EXPECT_EQ(tor.keepaliveTimeS, 3u);
  EXPECT_EQ(tor.connectTimeS, 5u);
  EXPECT_EQ(tor.passwordSecret, "tor-a-auth");
  EXPECT_EQ(tor.bfdProfile, "fast");
  EXPECT_TRUE(tor.selectsNodeLabels({{"rack", "a"}}));
  EXPECT_FALSE(tor.selectsNodeLabels({{"rack", "b"}}));
  ASSERT_EQ(cfg.bfdProfiles.count("fast"), 1u);
  EXPECT_EQ(cfg.bfdProfiles.at("fast").receiveIntervalMs, 100u);
  EXPECT_EQ(cfg.bfdProfiles.at("fast").detectMultiplier, 3u);  // FRR's default
  ASSERT_EQ(cfg.advertisements.size(), 1u);
  const BgpAdvertisement& edge = cfg.advertisements[0];
  EXPECT_EQ(edge.pools, (std::vector<std::string>{"public"}));
  EXPECT_EQ(edge.aggregationLength, 28);
  EXPECT_EQ(edge.aggregationLengthV6, 128);
  EXPECT_EQ(edge.localPref, 200u);
  std::vector<std::string> communities;
  for (const auto& c2 : edge.communities)
    communities.push_back(formatCommunity(c2));
  EXPECT_EQ(communities, (std::vector<std::string>{"64512:7", "65535:65282", "64512:1:2"}));
  EXPECT_TRUE(edge.selectsPeer("tor-a"));
  EXPECT_FALSE(edge.selectsPeer("tor-b"));
  EXPECT_EQ(b.result.advertisedPools, (NameSet{"public"}));
}

TEST_F(BgpBuildTest, AdvertisementWithoutPoolsOrPeersSelectsAll) {
  snapshot_.advertisements.push_back(advertisement("all"));
  Built b = build();
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].toString();
  const BgpAdvertisement& all = b.result.config.advertisements.at(0);
  EXPECT_EQ(all.pools, (std::vector<std::string>{"public", "v6"}));
  EXPECT_TRUE(all.selectsPeer("anyone"));
  EXPECT_TRUE(all.selectsNodeLabels({}));
}

TEST_F(BgpBuildTest, PoolSelectorsSelectByLabel) {
  api::BGPAdvertisement a = advertisement("by-label");
  a.spec.ipAddressPoolSelectors.push_back({{{"tier", "edge"}}, {}});
  snapshot_.advertisements.push_back(a);
  Built b = build();
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].toString();
  EXPECT_EQ(b.result.config.advertisements.at(0).pools, (std::vector<std::string>{"public"}));
}

TEST_F(BgpBuildTest, AsnRules) {
  api::BGPPeer zero = peer("zero");
  zero.spec.myAsn = 0;
  api::BGPPeer both = peer("both");
  both.spec.dynamicAsn = "external";
  api::BGPPeer neither = peer("neither");
  neither.spec.peerAsn.reset();
  api::BGPPeer wrongMode = peer("wrong-mode");
  wrongMode.spec.peerAsn.reset();
  wrongMode.spec.dynamicAsn = "sideways";
  api::BGPPeer big = peer("big", "192.0.2.9", 4294967296);
  snapshot_.peers = {zero, both, neither, wrongMode, big};
  Built b = build();
  EXPECT_NE(b.errorAt("zero", "spec.myASN").find("0 is not an AS number"), std::string::npos);
  EXPECT_NE(b.errorAt("both", "spec.peerASN").find("together with spec.dynamicASN"),
            std::string::npos);
  EXPECT_NE(b.errorAt("neither", "spec.peerASN").find("either spec.peerASN or spec.dynamicASN"),
            std::string::npos);
  EXPECT_NE(b.errorAt("wrong-mode", "spec.dynamicASN").find("\"sideways\""), std::string::npos);
  EXPECT_NE(b.errorAt("big", "spec.peerASN").find("4294967296"), std::string::npos);
  EXPECT_TRUE(b.result.config.peers.empty());
}

TEST_F(BgpBuildTest, DynamicAsnAccepted) {
  api::BGPPeer p = peer("dyn");
  p.spec.peerAsn.reset();
  p.spec.dynamicAsn = "internal";
  snapshot_.peers.push_back(p);
  Built b = build();
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].toString();
  EXPECT_EQ(b.result.config.peers.at("dyn").dynamicAsn, DynamicAsn::kInternal);
  EXPECT_FALSE(b.result.config.peers.at("dyn").peerAsn.has_value());
}

TEST_F(BgpBuildTest, AddressRules) {
  api::BGPPeer bad = peer("bad", "192.0.2.300");
  api::BGPPeer both = peer("both");
  both.spec.interfaceName = "eth0";
  api::BGPPeer none = peer("none", "");
  api::BGPPeer family = peer("family", "2001:db8::1");
  family.spec.sourceAddress = "192.0.2.10";
  api::BGPPeer router = peer("router", "192.0.2.2");
  router.spec.routerId = "2001:db8::1";
  api::BGPPeer port = peer("port", "192.0.2.3");
  port.spec.peerPort = 0;
  snapshot_.peers = {bad, both, none, family, router, port};
  Built b = build();
  EXPECT_NE(b.errorAt("bad", "spec.peerAddress").find("\"192.0.2.300\""), std::string::npos);
  EXPECT_NE(b.errorAt("both", "spec.peerAddress").find("together with spec.interface"),
            std::string::npos);
  EXPECT_NE(b.errorAt("none", "spec.peerAddress").find("either"), std::string::npos);
  EXPECT_NE(b.errorAt("family", "spec.sourceAddress").find("IPv6"), std::string::npos);
  EXPECT_NE(b.errorAt("router", "spec.routerID").find("IPv4"), std::string::npos);
  EXPECT_NE(b.errorAt("port", "spec.peerPort").find("0 is out of range 1-16384"),
            std::string::npos);
}

TEST_F(BgpBuildTest, UnnumberedPeerOverInterface) {
  api::BGPPeer p = peer("unnumbered", "");
  p.spec.interfaceName = "eth1";
  snapshot_.peers.push_back(p);
  Built b = build();
  ASSERT_TRUE(b.errors.empty()) << b.errors[0].toString();
  EXPECT_EQ(b.result.config.peers.at("unnumbered").interfaceName, "eth1");
  EXPECT_FALSE(b.result.config.peers.at("unnumbered").address.has_value());
}

TEST_F(BgpBuildTest, TimerRules) {
  api::BGPPeer shortHold = peer("short-hold", "192.0.2.1");
  shortHold.spec.holdTime = "2s";
  api::BGPPeer slowKeepalive = peer("slow-keepalive", "192.0.2.2");
  slowKeepalive.spec.holdTime = "9s";
  slowKeepalive.spec.keepaliveTime = "9s";
  api::BGPPeer defaultHold = peer("default-hold", "192.0.2.3");
  defaultHold.spec.keepaliveTime = "2m";
  api::BGPPeer fraction = peer("fraction", "192.0.2.4");
  fraction.spec.holdTime = "4500ms";
  api::BGPPeer connect = peer("connect", "192.0.2.5");
  connect.spec.connectTime = "0s";
  api::BGPPeer garbage = peer("garbage", "192.0.2.6");
  garbage.spec.holdTime = "soon";
  snapshot_.peers = {shortHold, slowKeepalive, defaultHold, fraction, connect, garbage};
  Built b = build();
  EXPECT_NE(b.errorAt("short-hold", "spec.holdTime").find("at least 3s"), std::string::npos);
  EXPECT_NE(b.errorAt("slow-keepalive", "spec.keepaliveTime").find("shorter than the hold time"),
            std::string::npos);
  EXPECT_NE(b.errorAt("default-hold", "spec.keepaliveTime").find("90s, the default"),
            std::string::npos);
  EXPECT_NE(b.errorAt("fraction", "spec.holdTime").find("whole number of seconds"),
            std::string::npos);
  EXPECT_NE(b.errorAt("connect", "spec.connectTime").find("out of range 1s-65535s"),
            std::string::npos);
  EXPECT_NE(b.errorAt("garbage", "spec.holdTime").find("\"soon\" is not a duration"),
            std::string::npos);
}

TEST_F(BgpBuildTest, InlinePasswordRefusedWithoutRepeatingIt) {
  api::BGPPeer p = peer("inline");
  p.spec.password = "s3cr3t-value";
  snapshot_.peers.push_back(p);
  Built b = build();
  const std::string e = b.errorAt("inline", "spec.password");
  EXPECT_NE(e.find("spec.passwordSecret"), std::string::npos) << e;
  for (const Issue& i : b.errors)
    EXPECT_EQ(i.toString().find("s3cr3t"), std::string::npos);
}

TEST_F(BgpBuildTest, PasswordSecretMustBeInInstallNamespace) {
  api::BGPPeer p = peer("elsewhere");
  p.spec.passwordSecret = {"auth", "default"};
  snapshot_.peers.push_back(p);
  Built b = build();
  EXPECT_NE(b.errorAt("elsewhere", "spec.passwordSecret.namespace").find("\"metallb-system\""),
            std::string::npos);
}

TEST_F(BgpBuildTest, BfdProfileReferencesAndRules) {
  api::BGPPeer missing = peer("missing-bfd", "192.0.2.1");
  missing.spec.bfdProfile = "nope";
  api::BGPPeer multihop = peer("multihop", "198.51.100.1", 64999);
  multihop.spec.ebgpMultiHop = true;
  multihop.spec.bfdProfile = "echo";
  api::BFDProfile echo = bfd("echo");
  echo.spec.echoMode = true;
  api::BFDProfile bad = bfd("bad");
  bad.spec.detectMultiplier = 1;
  bad.spec.receiveInterval = 5;
  snapshot_.peers = {missing, multihop};
  snapshot_.bfdProfiles = {echo, bad};
  Built b = build();
  EXPECT_NE(b.errorAt("missing-bfd", "spec.bfdProfile").find("\"nope\" does not exist"),
            std::string::npos);
  EXPECT_NE(b.errorAt("multihop", "spec.bfdProfile").find("echoMode"), std::string::npos);
  EXPECT_NE(b.errorAt("bad", "spec.detectMultiplier").find("1 is out of range 2-255"),
            std::string::npos);
  EXPECT_NE(b.errorAt("bad", "spec.receiveInterval").find("5 is out of range 10-60000"),
            std::string::npos);
}

TEST_F(BgpBuildTest, MultiHopRefusedForIbgp) {
  api::BGPPeer p = peer("ibgp", "192.0.2.1", 64512);
  p.spec.ebgpMultiHop = true;
  snapshot_.peers.push_back(p);
  EXPECT_NE(build().errorAt("ibgp", "spec.ebgpMultiHop").find("iBGP"), std::string::npos);
}

TEST_F(BgpBuildTest, DuplicatePeerNamesTheFirst) {
  snapshot_.peers = {peer("a"), peer("b")};
  Built b = build();
  EXPECT_NE(b.errorAt("b", "spec.peerAddress").find("BGPPeer \"a\" already peers with"),
            std::string::npos);
  EXPECT_EQ(b.errorAt("a", "spec.peerAddress"), "");
}

TEST_F(BgpBuildTest, SameAddressFromDifferentNodesIsFine) {
  api::BGPPeer a = peer("a");
  a.spec.nodeSelectors.push_back({{{"rack", "a"}}, {}});
  api::BGPPeer b2 = peer("b");
  b2.spec.nodeSelectors.push_back({{{"rack", "b"}}, {}});
  snapshot_.peers = {a, b2};
  EXPECT_TRUE(build().errors.empty());
}

TEST_F(BgpBuildTest, AggregationMustNotReachOutsideThePool) {
  api::BGPAdvertisement v4 = advertisement("v4", {"public"});
  v4.spec.aggregationLength = 16;
  api::BGPAdvertisement v6 = advertisement("v6", {"v6"});
  v6.spec.aggregationLengthV6 = 64;
  api::BGPAdvertisement range = advertisement("range", {"public"});
  range.spec.aggregationLength = 33;
  snapshot_.advertisements = {v4, v6, range};
  Built b = build();
  EXPECT_NE(b.errorAt("v4", "spec.aggregationLength")
                .find("16 is shorter than the block 203.0.113.0/24 of pool \"public\""),
            std::string::npos);
  EXPECT_NE(b.errorAt("v6", "spec.aggregationLengthV6").find("2001:db8:1::/120"),
            std::string::npos);
  EXPECT_NE(b.errorAt("range", "spec.aggregationLength").find("33 is out of range 1-32"),
            std::string::npos);
}

TEST_F(BgpBuildTest, CommunityRules) {
  api::Community first;
  first.meta.name = "first";
  first.meta.ns = kNs;
  first.communities = {{"gold", "64512:100"}, {"65000:1", "65000:2"}, {"broken", "1:2:3"}};
  api::Community second;
  second.meta.name = "second";
  second.meta.ns = kNs;
  second.communities = {{"gold", "64512:200"}};
  snapshot_.communities = {first, second};
  api::BGPAdvertisement a = advertisement("a", {"public"});
  a.spec.communities = {"gold", "silver", "gold"};
  snapshot_.advertisements = {a};
  Built b = build();
  EXPECT_NE(b.errorAt("first", "spec.communities[1].name").find("itself a community value"),
            std::string::npos);
  EXPECT_NE(b.errorAt("first", "spec.communities[2].value").find("\"1:2:3\""), std::string::npos);
  EXPECT_NE(b.errorAt("second", "spec.communities[0].name")
                .find("already defined in Community \"first\""),
            std::string::npos);
  EXPECT_NE(b.errorAt("a", "spec.communities[1]").find("\"silver\""), std::string::npos);
  EXPECT_NE(b.errorAt("a", "spec.communities[2]").find("duplicate"), std::string::npos);
}

TEST_F(BgpBuildTest, MissingReferencesWarnOrFail) {
  api::BGPAdvertisement a = advertisement("a", {"nope"});
  a.spec.peers = {"ghost"};
  snapshot_.advertisements = {a};
  Built lenient = build();
  EXPECT_TRUE(lenient.errors.empty());
  ASSERT_EQ(lenient.warnings.size(), 3u);  // missing pool, missing peer, selects no pool
  EXPECT_NE(lenient.warnings[0].toString().find("IPAddressPool \"nope\" does not exist"),
            std::string::npos);
  EXPECT_NE(lenient.warnings[1].toString().find("BGPPeer \"ghost\" does not exist"),
            std::string::npos);
  // A missing peer still limits the advertisement to the peers it names.
  EXPECT_FALSE(lenient.result.config.advertisements.at(0).selectsPeer("other"));

  Built strict = build(/*missingIsError=*/true);
  EXPECT_NE(strict.errorAt("a", "spec.ipAddressPools[0]").find("create the pool first"),
            std::string::npos);
  EXPECT_NE(strict.errorAt("a", "spec.peers[0]").find("create the peer first"), std::string::npos);
}

TEST_F(BgpBuildTest, ObjectsOutsideInstallNamespaceIgnored) {
  api::BGPPeer p = peer("stray");
  p.meta.ns = "default";
  snapshot_.peers.push_back(p);
  Built b = build();
  EXPECT_TRUE(b.errors.empty());
  EXPECT_TRUE(b.result.config.peers.empty());
  ASSERT_EQ(b.warnings.size(), 1u);
  EXPECT_NE(b.warnings[0].toString().find("only read from namespace \"metallb-system\""),
            std::string::npos);
}

TEST_F(BgpBuildTest, InvalidAdvertisementCountsEveryPoolAsAdvertised) {
  api::BGPAdvertisement a = advertisement("bad", {"public"});
  a.spec.localPref = -1;
  snapshot_.advertisements = {a};
  Built b = build();
  EXPECT_FALSE(b.errors.empty());
  EXPECT_EQ(b.result.advertisedPools, (NameSet{"public", "v6"}));
}

}  // namespace
}  // namespace ironlb::lbconfig
