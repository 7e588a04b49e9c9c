#include "common/api/bgp_types_json.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

using nlohmann::json;

// A BGPPeer as a MetalLB user writes it (v1beta2), every field set.
constexpr const char* kPeerJson = R"({
    "apiVersion": "metallb.io/v1beta2",
    "kind": "BGPPeer",
    "metadata": {"name": "tor-a", "namespace": "metallb-system"},
    "spec": {
        "myASN": 64512, "peerASN": 4200000000, "peerAddress": "192.0.2.1",
        "sourceAddress": "192.0.2.10", "peerPort": 1179, "holdTime": "9s",
        "keepaliveTime": "3s", "connectTime": "5s", "routerID": "192.0.2.10",
        "nodeSelectors": [{"matchLabels": {"rack": "a"}}],
        "passwordSecret": {"name": "tor-a-auth", "namespace": "metallb-system"},
        "bfdProfile": "fast", "enableGracefulRestart": true, "ebgpMultiHop": true,
        "vrf": "red", "disableMP": true, "dualStackAddressFamily": true
    }
})";

TEST(BGPPeerTest, DecodesEveryField) {
  auto r = decodeBGPPeer(json::parse(kPeerJson));
  ASSERT_TRUE(r.ok()) << r.error();
  const BGPPeerSpec& s = r->spec;
  EXPECT_EQ(r->meta.name, "tor-a");
  EXPECT_EQ(s.myAsn, 64512);
  ASSERT_TRUE(s.peerAsn.has_value());
  EXPECT_EQ(*s.peerAsn, 4200000000);  // 4-byte ASN above INT32_MAX
  EXPECT_EQ(s.dynamicAsn, "");
  EXPECT_EQ(s.peerAddress, "192.0.2.1");
  EXPECT_EQ(s.sourceAddress, "192.0.2.10");
  EXPECT_EQ(s.peerPort, 1179);
  EXPECT_EQ(s.holdTime, "9s");
  EXPECT_EQ(s.keepaliveTime, "3s");
  EXPECT_EQ(s.connectTime, "5s");
  EXPECT_EQ(s.routerId, "192.0.2.10");
  ASSERT_EQ(s.nodeSelectors.size(), 1u);
  EXPECT_EQ(s.nodeSelectors[0].matchLabels.at("rack"), "a");
  EXPECT_EQ(s.passwordSecret, (SecretReference{"tor-a-auth", "metallb-system"}));
  EXPECT_EQ(s.bfdProfile, "fast");
  EXPECT_TRUE(s.enableGracefulRestart);
  EXPECT_TRUE(s.ebgpMultiHop);
  EXPECT_EQ(s.vrf, "red");
  EXPECT_TRUE(s.disableMp);
  EXPECT_TRUE(s.dualStackAddressFamily);
}

TEST(BGPPeerTest, AbsentOptionalsStayAbsent) {
  auto r = decodeBGPPeer(json::parse(R"({"metadata": {"name": "p", "namespace": "ns"},
      "spec": {"myASN": 64512, "dynamicASN": "external", "peerAddress": "2001:db8::1"}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE(r->spec.peerAsn.has_value());
  EXPECT_EQ(r->spec.dynamicAsn, "external");
  EXPECT_FALSE(r->spec.peerPort.has_value());
  EXPECT_FALSE(r->spec.holdTime.has_value());
}

TEST(BGPPeerTest, WrongTypesNamedWithPathAndValue) {
  auto r = decodeBGPPeer(json::parse(R"({"metadata": {"name": "p", "namespace": "ns"},
      "spec": {"myASN": "64512", "peerPort": true, "holdTime": 90}})"));
  ASSERT_FALSE(r.ok());
  const std::string e = r.error();
  EXPECT_NE(e.find("BGPPeer ns/p"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.myASN: expected an integer, got \"64512\""), std::string::npos) << e;
  EXPECT_NE(e.find("spec.peerPort"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.holdTime: expected a string, got 90"), std::string::npos) << e;
}

TEST(BGPAdvertisementTest, DecodesEveryField) {
  auto r = decodeBGPAdvertisement(json::parse(R"({"kind": "BGPAdvertisement",
      "metadata": {"name": "external", "namespace": "metallb-system"},
      "spec": {"aggregationLength": 24, "aggregationLengthV6": 64, "localPref": 200,
               "communities": ["65535:65282", "large:1:2:3", "no-advertise"],
               "ipAddressPools": ["public"],
               "ipAddressPoolSelectors": [{"matchLabels": {"tier": "edge"}}],
               "nodeSelectors": [{"matchExpressions": [
                   {"key": "rack", "operator": "In", "values": ["a", "b"]}]}],
               "peers": ["tor-a"]}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  const BGPAdvertisementSpec& s = r->spec;
  EXPECT_EQ(s.aggregationLength, 24);
  EXPECT_EQ(s.aggregationLengthV6, 64);
  EXPECT_EQ(s.localPref, 200);
  EXPECT_EQ(s.communities,
            (std::vector<std::string>{"65535:65282", "large:1:2:3", "no-advertise"}));
  EXPECT_EQ(s.ipAddressPools, (std::vector<std::string>{"public"}));
  ASSERT_EQ(s.ipAddressPoolSelectors.size(), 1u);
  ASSERT_EQ(s.nodeSelectors.size(), 1u);
  EXPECT_EQ(s.nodeSelectors[0].matchExpressions[0].values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.peers, (std::vector<std::string>{"tor-a"}));
}

TEST(BGPAdvertisementTest, EmptySpecMeansDefaults) {
  auto r = decodeBGPAdvertisement(json::parse(R"({"metadata": {"name": "a", "namespace": "n"}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->spec, BGPAdvertisementSpec{});
}

TEST(BFDProfileTest, DecodesEveryField) {
  auto r = decodeBFDProfile(json::parse(R"({"metadata": {"name": "fast", "namespace": "n"},
      "spec": {"receiveInterval": 100, "transmitInterval": 100, "detectMultiplier": 3,
               "echoInterval": 50, "echoMode": false, "passiveMode": true,
               "minimumTtl": 254}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  const BFDProfileSpec& s = r->spec;
  EXPECT_EQ(s.receiveInterval, 100);
  EXPECT_EQ(s.transmitInterval, 100);
  EXPECT_EQ(s.detectMultiplier, 3);
  EXPECT_EQ(s.echoInterval, 50);
  EXPECT_EQ(s.echoMode, false);
  EXPECT_EQ(s.passiveMode, true);
  EXPECT_EQ(s.minimumTtl, 254);
}

TEST(CommunityTest, DecodesAliases) {
  auto r = decodeCommunity(json::parse(R"({"kind": "Community",
      "metadata": {"name": "communities", "namespace": "n"},
      "spec": {"communities": [{"name": "no-advertise", "value": "65535:65282"},
                               {"name": "big", "value": "large:1:2:3"}]}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->communities,
            (std::vector<CommunityAlias>{{"no-advertise", "65535:65282"}, {"big", "large:1:2:3"}}));
}

TEST(CommunityTest, NullAliasIsAnError) {
  auto r = decodeCommunity(json::parse(R"({"metadata": {"name": "c", "namespace": "n"},
                      "spec": {"communities": [null]}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("spec.communities[0]"), std::string::npos) << r.error();
}

TEST(BGPKindsTest, WrongKindRejected) {
  auto r = decodeBFDProfile(json::parse(R"({"kind": "BGPPeer", "metadata": {"name": "x"}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("kind: expected \"BFDProfile\""), std::string::npos) << r.error();
}

}  // namespace
}  // namespace ironlb::api
