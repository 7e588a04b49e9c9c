#include "speaker/bgp/frr_config.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "test/unit/speaker/bgp/frr_text.h"

namespace ironlb::bgp {
namespace {

using lbconfig::BgpPeer;

net::IpAddress ip(std::string_view text) {
  return *net::IpAddress::parse(text);
}
net::Prefix prefix(std::string_view text) {
  return net::Prefix::parse(text)->prefix;
}

BgpPeer peer(const std::string& name, std::string_view address, uint32_t myAsn = 64512) {
  BgpPeer p;
  p.name = name;
  p.myAsn = myAsn;
  p.peerAsn = 64513;
  p.address = ip(address);
  return p;
}

// The configuration FRR's own parser accepts: vtysh --dryrun reads the file and reports the
// first line it does not understand (FRR 8.4 from Debian, installed by test/deps.sh).
void expectFrrAccepts(const std::string& text) {
  char path[] = "/tmp/ironlb-frr-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  const std::string command = "vtysh --dryrun -f " + std::string(path) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr)
    output += buffer;
  const int status = pclose(pipe);
  unlink(path);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "vtysh --dryrun refused the rendering: " << output << "\n--- rendering ---\n"
      << text;
}

class FrrConfigTest : public ::testing::Test {
 protected:
  FrrRendering render() { return renderFrrConfig(config_, plan_, context_); }

  void addPeer(BgpPeer p) {
    plan_.sessions.push_back(p.name);
    std::sort(plan_.sessions.begin(), plan_.sessions.end());
    config_.peers.emplace(p.name, std::move(p));
    plan_.peers.clear();
    for (const auto& s : plan_.sessions)
      plan_.peers.push_back({s, {}});
  }
  PeerPlan& planOf(const std::string& name) {
    for (auto& p : plan_.peers) {
      if (p.peer == name) return p;
    }
    throw std::runtime_error("no peer " + name);
  }

  lbconfig::BgpConfig config_;
  NodePlan plan_;
  FrrContext context_{"node-a", {}};
};

TEST_F(FrrConfigTest, EveryPeerOptionRendersAndFrrAcceptsIt) {
  BgpPeer tor = peer("tor", "192.0.2.1");
  tor.port = 1179;
  tor.holdTimeS = 9;
  tor.keepaliveTimeS = 3;
  tor.connectTimeS = 5;
  tor.sourceAddress = ip("192.0.2.10");
  tor.routerId = ip("192.0.2.10");
  tor.ebgpMultiHop = true;
  tor.bfdProfile = "fast";
  tor.gracefulRestart = true;
  addPeer(tor);
  BgpPeer v6 = peer("v6", "2001:db8::1");
  v6.peerAsn.reset();
  v6.dynamicAsn = lbconfig::DynamicAsn::kExternal;
  addPeer(v6);
  BgpPeer unnumbered = peer("unnumbered", "192.0.2.3");
  unnumbered.address.reset();
  unnumbered.interfaceName = "eth1";
  addPeer(unnumbered);
  lbconfig::BfdProfile fast;
  fast.name = "fast";
  fast.receiveIntervalMs = 100;
  fast.transmitIntervalMs = 100;
  fast.echoMode = true;
  fast.passiveMode = true;
  fast.minimumTtl = 250;
  config_.bfdProfiles.emplace("fast", fast);
  context_.passwords["tor"] = "Md5-Key_1";
  planOf("tor").routes = {
      {prefix("203.0.113.5/32"),
       200u,
       {lbconfig::StandardCommunity{64512, 1}, lbconfig::LargeCommunity{1, 2, 3}}},
      {prefix("203.0.113.6/32"), std::nullopt, {}}};
  planOf("v6").routes = {{prefix("2001:db8:1::5/128"), std::nullopt, {}}};
  planOf("unnumbered").routes = {{prefix("203.0.113.5/32"), std::nullopt, {}},
                                 {prefix("2001:db8:1::5/128"), std::nullopt, {}}};

  const FrrRendering r = render();
  EXPECT_TRUE(r.problems.empty());
  const std::string& t = r.text;
  EXPECT_TRUE(has(t, "hostname node-a")) << t;
  EXPECT_TRUE(has(t, "router bgp 64512")) << t;
  EXPECT_TRUE(has(t, " bgp router-id 192.0.2.10")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 remote-as 64513")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 port 1179")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 timers 3 9")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 timers connect 5")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 password Md5-Key_1")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 update-source 192.0.2.10")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 ebgp-multihop 255")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 bfd")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 bfd profile fast")) << t;
  EXPECT_TRUE(has(t, " neighbor 192.0.2.1 graceful-restart")) << t;
  EXPECT_TRUE(has(t, " neighbor 2001:db8::1 remote-as external")) << t;
  EXPECT_TRUE(has(t, " neighbor eth1 interface remote-as 64513")) << t;
  // Each prefix is tagged at origination by the route map its network line names; tor's
  // outbound map has an entry per tag that sets that prefix's attributes, then the deny.
  const std::string tagged = tagMapOf(t, "203.0.113.5/32");
  const std::string plain = tagMapOf(t, "203.0.113.6/32");
  ASSERT_FALSE(tagged.empty()) << t;
  ASSERT_FALSE(plain.empty()) << t;
  EXPECT_NE(tagged, plain) << t;  // other peers, other attributes
  EXPECT_EQ(tagMapOf(t, "2001:db8:1::5/128").empty(), false) << t;
  const std::string withAttributes = entryMatching(t, "ironlb-tor-out", tagSetBy(t, tagged));
  EXPECT_NE(withAttributes.find("\n set local-preference 200"), std::string::npos) << t;
  EXPECT_NE(withAttributes.find("\n set community 64512:1"), std::string::npos) << t;
  EXPECT_NE(withAttributes.find("\n set large-community 1:2:3"), std::string::npos) << t;
  const std::string without = entryMatching(t, "ironlb-tor-out", tagSetBy(t, plain));
  ASSERT_FALSE(without.empty()) << t;
  EXPECT_EQ(without.find(" set "), std::string::npos) << t;
  // unnumbered gets 203.0.113.5/32 without tor's attributes: same tag, its own entry
  EXPECT_EQ(entryMatching(t, "ironlb-unnumbered-out", tagSetBy(t, tagged)).find(" set "),
            std::string::npos)
      << t;
  EXPECT_TRUE(entryMatching(t, "ironlb-v6-out", tagSetBy(t, tagged)).empty()) << t;
  EXPECT_TRUE(has(t, "route-map ironlb-tor-out deny 65535")) << t;
  EXPECT_EQ(t.find("prefix-list"), std::string::npos) << t;
  EXPECT_TRUE(has(t, "  neighbor 192.0.2.1 route-map ironlb-tor-out out")) << t;
  EXPECT_TRUE(has(t, "  echo-mode")) << t;
  EXPECT_TRUE(has(t, "  receive-interval 100")) << t;
  EXPECT_EQ(t.find("detect-multiplier"), std::string::npos) << t;  // FRR's default, left out
  EXPECT_TRUE(has(t, "  minimum-ttl 250")) << t;
  expectFrrAccepts(t);
}

TEST_F(FrrConfigTest, FamiliesActivatedOnlyWhereCarried) {
  addPeer(peer("v4", "192.0.2.1"));
  addPeer(peer("v6", "2001:db8::1"));
  const std::string t = render().text;
  const auto v4Family = t.find(" address-family ipv4 unicast");
  const auto v6Family = t.find(" address-family ipv6 unicast");
  ASSERT_NE(v4Family, std::string::npos);
  ASSERT_NE(v6Family, std::string::npos);
  const std::string v4Block = t.substr(v4Family, v6Family - v4Family);
  EXPECT_NE(v4Block.find("neighbor 192.0.2.1 activate"), std::string::npos) << t;
  EXPECT_EQ(v4Block.find("neighbor 2001:db8::1 activate"), std::string::npos) << t;
  expectFrrAccepts(t);
}

TEST_F(FrrConfigTest, VrfsGetTheirOwnInstanceAndMyAsnConflictsAreReported) {
  addPeer(peer("a", "192.0.2.1"));
  BgpPeer red = peer("b-red", "192.0.2.2", 65001);
  red.vrf = "red";
  addPeer(red);
  addPeer(peer("c-other-asn", "192.0.2.3", 65002));
  const FrrRendering r = render();
  EXPECT_TRUE(has(r.text, "router bgp 64512")) << r.text;
  EXPECT_TRUE(has(r.text, "router bgp 65001 vrf red")) << r.text;
  EXPECT_EQ(r.text.find("192.0.2.3 remote-as"), std::string::npos) << r.text;
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("\"c-other-asn\" is left out"), std::string::npos);
  expectFrrAccepts(r.text);
}

TEST_F(FrrConfigTest, PeerWithoutRoutesDeniesEverything) {
  addPeer(peer("idle", "192.0.2.1"));
  const std::string t = render().text;
  EXPECT_EQ(t.find("prefix-list"), std::string::npos) << t;
  EXPECT_TRUE(has(t, "route-map ironlb-idle-out deny 65535")) << t;
  EXPECT_EQ(t.find("  network "), std::string::npos) << t;
  expectFrrAccepts(t);
}

TEST_F(FrrConfigTest, TagsFollowProfilesNotPrefixes) {
  addPeer(peer("a", "192.0.2.1"));
  addPeer(peer("b", "192.0.2.2"));
  // 200 prefixes in three profiles: to a only, to a and b, to a with localPref 300.
  for (int i = 1; i <= 200; ++i) {
    const Route r{prefix("203.0.113." + std::to_string(i) + "/32"), std::nullopt, {}};
    if (i % 3 == 0) {
      planOf("a").routes.push_back({r.prefix, 300u, {}});
    } else {
      planOf("a").routes.push_back(r);
    }
    if (i % 3 == 1) planOf("b").routes.push_back(r);
  }
  const std::string t = render().text;
  std::size_t tagMaps = 0;
  for (std::size_t at = 0; (at = t.find("\n set tag ", at)) != std::string::npos; ++at)
    ++tagMaps;
  EXPECT_EQ(tagMaps, 3u) << t;
  EXPECT_EQ(tagMapOf(t, "203.0.113.1/32"), tagMapOf(t, "203.0.113.4/32"));
  EXPECT_NE(tagMapOf(t, "203.0.113.1/32"), tagMapOf(t, "203.0.113.2/32"));
  EXPECT_NE(tagMapOf(t, "203.0.113.2/32"), tagMapOf(t, "203.0.113.3/32"));
  // b's map: one entry (the shared profile) and the deny
  EXPECT_FALSE(
      entryMatching(t, "ironlb-b-out", tagSetBy(t, tagMapOf(t, "203.0.113.1/32"))).empty());
  EXPECT_TRUE(entryMatching(t, "ironlb-b-out", tagSetBy(t, tagMapOf(t, "203.0.113.2/32"))).empty());
  expectFrrAccepts(t);
}

TEST_F(FrrConfigTest, TagOfAProfileDoesNotDependOnOtherProfiles) {
  addPeer(peer("a", "192.0.2.1"));
  planOf("a").routes = {{prefix("203.0.113.1/32"), std::nullopt, {}}};
  const std::string alone = tagMapOf(render().text, "203.0.113.1/32");
  planOf("a").routes.push_back({prefix("203.0.113.2/32"), 300u, {}});
  const std::string t = render().text;
  EXPECT_EQ(tagMapOf(t, "203.0.113.1/32"), alone) << t;
  EXPECT_NE(tagMapOf(t, "203.0.113.2/32"), alone) << t;
}

TEST_F(FrrConfigTest, SameInputSameText) {
  addPeer(peer("tor", "192.0.2.1"));
  planOf("tor").routes = {{prefix("203.0.113.5/32"), std::nullopt, {}}};
  EXPECT_EQ(render().text, render().text);
}

TEST(FrrNameTest, LongNamesShortenedStably) {
  EXPECT_EQ(frrName("tor-a"), "ironlb-tor-a");
  const std::string longName(100, 'a');
  const std::string n = frrName(longName);
  EXPECT_EQ(n, frrName(longName));
  EXPECT_LE(n.size(), 7u + 40u);
  EXPECT_NE(n, frrName(longName + "b"));
}

TEST(PasswordCheckTest, TokensFrrCanTake) {
  EXPECT_FALSE(checkPassword("Md5-Key_1!").has_value());
  EXPECT_TRUE(checkPassword("").has_value());
  EXPECT_TRUE(checkPassword("two words").has_value());
  EXPECT_TRUE(checkPassword("line\nbreak").has_value());
  EXPECT_TRUE(checkPassword(std::string(81, 'x')).has_value());
  const auto why = checkPassword("has space");
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->find("has space"), std::string::npos);  // never quotes the password
}

}  // namespace
}  // namespace ironlb::bgp
