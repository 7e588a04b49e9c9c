#include "speaker/bgp/frr_diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "speaker/bgp/frr_config.h"
#include "test/unit/speaker/bgp/frr_text.h"

namespace ironlb::bgp {
namespace {

using lbconfig::BgpPeer;

net::Prefix prefix(std::string_view text) {
  return net::Prefix::parse(text)->prefix;
}

// A node with peers tor (IPv4) and tor6 (IPv6), rendered with the routes given per peer.
class FrrDiffTest : public ::testing::Test {
 protected:
  FrrDiffTest() {
    addPeer("tor", "192.0.2.1");
    addPeer("tor6", "2001:db8::1");
  }

  void addPeer(const std::string& name, std::string_view address) {
    BgpPeer p;
    p.name = name;
    p.myAsn = 64512;
    p.peerAsn = 64513;
    p.address = *net::IpAddress::parse(address);
    config_.peers[name] = p;
  }

  std::string render(const std::map<std::string, std::vector<Route>>& routes) const {
    NodePlan plan;
    for (const auto& [name, peer] : config_.peers) {
      plan.sessions.push_back(name);
      const auto it = routes.find(name);
      plan.peers.push_back({name, it == routes.end() ? std::vector<Route>{} : it->second});
    }
    return renderFrrConfig(config_, plan, {"node-a", {}}).text;
  }

  // The bgpd commands between `configure terminal` and `end`.
  static std::vector<std::string> bgpd(const std::vector<FrrCommands>& diff) {
    for (const FrrCommands& c : diff) {
      if (c.daemon != FrrDaemon::kBgpd) continue;
      EXPECT_EQ(c.commands.front(), "configure terminal");
      EXPECT_EQ(c.commands.back(), "end");
      return {c.commands.begin() + 1, c.commands.end() - 1};
    }
    return {};
  }

  static std::ptrdiff_t indexOf(const std::vector<std::string>& v, const std::string& line) {
    const auto it = std::find(v.begin(), v.end(), line);
    EXPECT_NE(it, v.end()) << "missing: " << line;
    return it - v.begin();
  }

  lbconfig::BgpConfig config_;
};

TEST_F(FrrDiffTest, SameRenderingNothingToDo) {
  const std::string text = render({{"tor", {{prefix("203.0.113.5/32"), {}, {}}}}});
  EXPECT_TRUE(diffFrrConfig(text, text).empty());
}

TEST_F(FrrDiffTest, FromNothingEverythingButFileOnlyLines) {
  const std::string text = render({{"tor", {{prefix("203.0.113.5/32"), {}, {}}}}});
  const std::vector<std::string> c = bgpd(diffFrrConfig("", text));
  EXPECT_EQ(std::count(c.begin(), c.end(), "hostname node-a"), 0);
  const std::string tagMap = tagMapOf(text, "203.0.113.5/32");
  EXPECT_LT(indexOf(c, "route-map " + tagMap + " permit 1"), indexOf(c, "router bgp 64512"));
  EXPECT_LT(indexOf(c, "neighbor 192.0.2.1 remote-as 64513"),
            indexOf(c, "address-family ipv4 unicast"));
  indexOf(c, "network 203.0.113.5/32 route-map " + tagMap);
  indexOf(c, "exit-address-family");
  // Held down while configured, let go once everything about it is in.
  EXPECT_EQ(indexOf(c, "neighbor 192.0.2.1 shutdown"),
            indexOf(c, "neighbor 192.0.2.1 remote-as 64513") + 1);
  const auto release = indexOf(c, "no neighbor 192.0.2.1 shutdown");
  EXPECT_GT(release, indexOf(c, "neighbor 192.0.2.1 activate"));
  EXPECT_EQ(c[static_cast<std::size_t>(release) - 1], "router bgp 64512");
  EXPECT_EQ(c.back(), "exit");
}

TEST_F(FrrDiffTest, OneMoreServiceCostsOneLineWhateverIsAnnounced) {
  std::vector<Route> many;
  for (int i = 1; i <= 200; ++i) {
    many.push_back({prefix("203.0.113." + std::to_string(i) + "/32"), {}, {}});
  }
  const std::string before = render({{"tor", many}});
  many.push_back({prefix("198.51.100.7/32"), {}, {}});
  std::sort(many.begin(), many.end(),
            [](const Route& a, const Route& b) { return a.prefix < b.prefix; });
  const std::string after = render({{"tor", many}});
  EXPECT_EQ(bgpd(diffFrrConfig(before, after)),
            (std::vector<std::string>{
                "router bgp 64512", "address-family ipv4 unicast",
                "network 198.51.100.7/32 route-map " + tagMapOf(before, "203.0.113.1/32"),
                "exit-address-family", "exit"}));
}

TEST_F(FrrDiffTest, WithdrawBeforeTheRouteMapsGo) {
  const std::string before = render({{"tor", {{prefix("203.0.113.5/32"), {}, {}}}}});
  const std::string after = render({});
  const std::vector<std::string> c = bgpd(diffFrrConfig(before, after));
  const std::string tagMap = tagMapOf(before, "203.0.113.5/32");
  const auto withdrawn = indexOf(c, "no network 203.0.113.5/32 route-map " + tagMap);
  EXPECT_LT(withdrawn, indexOf(c, "no route-map " + tagMap + " permit 1"));
  const auto entry = std::find_if(c.begin(), c.end(), [](const std::string& line) {
    return line.starts_with("no route-map ironlb-tor-out permit ");
  });
  ASSERT_NE(entry, c.end());
  EXPECT_LT(withdrawn, entry - c.begin());
}

TEST_F(FrrDiffTest, NewValueReplacesOldWithoutNo) {
  const std::string before = render({});
  config_.peers["tor"].holdTimeS = 9;
  config_.peers["tor"].keepaliveTimeS = 3;
  const std::string mid = render({});
  config_.peers["tor"].holdTimeS = 30;
  config_.peers["tor"].keepaliveTimeS = 10;
  const std::string after = render({});
  EXPECT_EQ(
      bgpd(diffFrrConfig(before, mid)),
      (std::vector<std::string>{"router bgp 64512", "neighbor 192.0.2.1 timers 3 9", "exit"}));
  EXPECT_EQ(
      bgpd(diffFrrConfig(mid, after)),
      (std::vector<std::string>{"router bgp 64512", "neighbor 192.0.2.1 timers 10 30", "exit"}));
  EXPECT_EQ(
      bgpd(diffFrrConfig(mid, before)),
      (std::vector<std::string>{"router bgp 64512", "no neighbor 192.0.2.1 timers 3 9", "exit"}));
}

TEST_F(FrrDiffTest, RemovedNeighborGoesInOneCommandAfterItsFamilies) {
  config_.peers["tor"].holdTimeS = 9;
  const std::string before = render({});
  config_.peers.erase("tor");
  const std::string after = render({});
  const std::vector<std::string> c = bgpd(diffFrrConfig(before, after));
  EXPECT_LT(indexOf(c, "no neighbor 192.0.2.1 activate"),
            indexOf(c, "no neighbor 192.0.2.1 remote-as 64513"));
  EXPECT_EQ(
      std::count_if(c.begin(), c.end(),
                    [](const std::string& l) { return l.find("timers") != std::string::npos; }),
      0);
  indexOf(c, "no route-map ironlb-tor-out deny 65535");
}

TEST_F(FrrDiffTest, LastPeersGoWithTheirNeighborsRemovedBeforeTheInstance) {
  // `no router bgp` alone closes the sessions without a NOTIFICATION, which a router with
  // graceful restart reads as a restart (it keeps the routes as stale): neighbors go first.
  const std::string before = render({});
  config_.peers.clear();
  const std::vector<std::string> c = bgpd(diffFrrConfig(before, render({})));
  const auto instance = indexOf(c, "no router bgp 64512");
  EXPECT_LT(indexOf(c, "no neighbor 192.0.2.1"), instance);
  EXPECT_LT(indexOf(c, "no neighbor 2001:db8::1"), instance);
  EXPECT_LT(indexOf(c, "router bgp 64512"), indexOf(c, "no neighbor 192.0.2.1"));
}

TEST_F(FrrDiffTest, GracefulRestartModesReplaceEachOtherWithoutNo) {
  // Without enableGracefulRestart the peer is rendered graceful-restart-disable (FRR would
  // otherwise offer the capability and a helping router keep dead routes for 120 s). A `no`
  // of the old mode after the new one would put the peer back to FRR's global mode.
  const std::string without = render({});
  EXPECT_NE(without.find("neighbor 192.0.2.1 graceful-restart-disable"), std::string::npos);
  config_.peers["tor"].gracefulRestart = true;
  const std::string with = render({});
  for (const auto& [from, to, set] :
       {std::tuple{without, with, "neighbor 192.0.2.1 graceful-restart"},
        std::tuple{with, without, "neighbor 192.0.2.1 graceful-restart-disable"}}) {
    const std::vector<std::string> c = bgpd(diffFrrConfig(from, to));
    indexOf(c, set);
    EXPECT_EQ(std::count_if(c.begin(), c.end(),
                            [](const std::string& l) { return l.starts_with("no "); }),
              0);
  }
}

// The prefix moves to the tag of its new attributes; the peer's entry for the new tag exists
// before, and the old one goes only after, so the route matches an entry throughout (an update
// with the new attributes, never a withdrawal).
TEST_F(FrrDiffTest, AttributeChangeRetagsWithoutWithdrawing) {
  const std::string before = render({{"tor", {{prefix("203.0.113.5/32"), 100u, {}}}}});
  const std::string after = render({{"tor", {{prefix("203.0.113.5/32"), 200u, {}}}}});
  const std::string oldMap = tagMapOf(before, "203.0.113.5/32");
  const std::string newMap = tagMapOf(after, "203.0.113.5/32");
  ASSERT_NE(oldMap, newMap);
  const std::string oldEntry = entryMatching(before, "ironlb-tor-out", tagSetBy(before, oldMap));
  const std::string newEntry = entryMatching(after, "ironlb-tor-out", tagSetBy(after, newMap));
  const std::string oldHeader = oldEntry.substr(0, oldEntry.find('\n'));
  const std::string newHeader = newEntry.substr(0, newEntry.find('\n'));
  ASSERT_NE(oldHeader, newHeader);
  const std::vector<std::string> c = bgpd(diffFrrConfig(before, after));
  for (const std::string& line : c)
    EXPECT_FALSE(line.starts_with("no network")) << line;
  const auto retag = indexOf(c, "network 203.0.113.5/32 route-map " + newMap);
  EXPECT_LT(indexOf(c, "route-map " + newMap + " permit 1"), retag);
  EXPECT_LT(indexOf(c, newHeader), retag);
  EXPECT_EQ(c[static_cast<std::size_t>(indexOf(c, newHeader)) + 2], "set local-preference 200");
  EXPECT_GT(indexOf(c, "no " + oldHeader), retag);
  EXPECT_GT(indexOf(c, "no route-map " + oldMap + " permit 1"), retag);
}

// Hand-written renderings in which profile A (tag 10) becomes B (tag 20) and B's entry gets
// the number A's had: the entry is edited in place, so a copy of A's entry under a spare
// number keeps the not yet retagged prefix matching until the retag is done.
TEST(FrrDiffCollisionTest, EntryNumberReusedKeepsTheOldTagMatchedUntilRetagged) {
  const auto rendering = [](int tag, const std::string& extra) {
    const std::string map = "ironlb-tag-" + std::to_string(tag);
    return "route-map " + map + " permit 1\n set tag " + std::to_string(tag) +
           "\nexit\n!\nroute-map ironlb-tor-out permit 5\n match tag " + std::to_string(tag) +
           "\n" + extra +
           "exit\nroute-map ironlb-tor-out deny 65535\nexit\n!\n"
           "router bgp 64512\n neighbor 192.0.2.1 remote-as 64513\n"
           " address-family ipv4 unicast\n  network 203.0.113.5/32 route-map " +
           map +
           "\n  neighbor 192.0.2.1 activate\n  neighbor 192.0.2.1 route-map ironlb-tor-out out\n"
           " exit-address-family\nexit\n!\n";
  };
  const std::vector<FrrCommands> diff =
      diffFrrConfig(rendering(10, ""), rendering(20, " set local-preference 200\n"));
  ASSERT_EQ(diff.size(), 1u);
  const std::vector<std::string>& c = diff[0].commands;
  const auto at = [&](const std::string& line) {
    const auto it = std::find(c.begin(), c.end(), line);
    EXPECT_NE(it, c.end()) << line;
    return it - c.begin();
  };
  const auto copy = at("route-map ironlb-tor-out permit 65534");
  EXPECT_EQ(c[static_cast<std::size_t>(copy) + 1], "match tag 10");
  const auto edit = at("route-map ironlb-tor-out permit 5");
  EXPECT_EQ(c[static_cast<std::size_t>(edit) + 1], "match tag 20");
  const auto retag = at("network 203.0.113.5/32 route-map ironlb-tag-20");
  const auto dropCopy = at("no route-map ironlb-tor-out permit 65534");
  EXPECT_LT(copy, edit);
  EXPECT_LT(edit, retag);
  EXPECT_LT(retag, dropCopy);
  EXPECT_LT(retag, at("no route-map ironlb-tag-10 permit 1"));
  for (const std::string& line : c)
    EXPECT_FALSE(line.starts_with("no network")) << line;
}

// FRR may hold `network P` without a route map (from an earlier build's rendering): the new
// line replaces it, and no `no network P` follows (which would remove P whatever its map).
TEST_F(FrrDiffTest, NetworkWithoutRouteMapIsReplacedNotRemoved) {
  const std::string after = render({{"tor", {{prefix("203.0.113.5/32"), {}, {}}}}});
  std::string before = after;
  const std::string tagged =
      "network 203.0.113.5/32 route-map " + tagMapOf(after, "203.0.113.5/32");
  before.replace(before.find(tagged), tagged.size(), "network 203.0.113.5/32");
  const std::vector<std::string> c = bgpd(diffFrrConfig(before, after));
  EXPECT_EQ(c, (std::vector<std::string>{"router bgp 64512", "address-family ipv4 unicast", tagged,
                                         "exit-address-family", "exit"}));
}

TEST_F(FrrDiffTest, BfdProfilesGoToBfddFirst) {
  lbconfig::BfdProfile fast;
  fast.name = "fast";
  config_.bfdProfiles["fast"] = fast;
  const std::string before = render({});
  config_.peers["tor"].bfdProfile = "fast";
  const std::string after = render({});
  const std::vector<FrrCommands> diff = diffFrrConfig(before, after);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0].daemon, FrrDaemon::kBfdd);
  EXPECT_EQ(diff[0].commands[1], "bfd");
  EXPECT_EQ(diff[0].commands[2], "profile fast");
  EXPECT_EQ(diff[1].daemon, FrrDaemon::kBgpd);
  EXPECT_EQ(bgpd(diff), (std::vector<std::string>{"router bgp 64512", "neighbor 192.0.2.1 bfd",
                                                  "neighbor 192.0.2.1 bfd profile fast", "exit"}));
}

}  // namespace
}  // namespace ironlb::bgp
