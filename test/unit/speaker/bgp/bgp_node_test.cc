#include "speaker/bgp/bgp_node.h"

#include <gtest/gtest.h>

#include <deque>

#include "speaker/bgp/frr_diff.h"

namespace ironlb::bgp {
namespace {

using std::chrono::seconds;

net::Prefix prefix(std::string_view text) {
  return net::Prefix::parse(text)->prefix;
}

// Records what it is asked to apply; fails while `failures` is positive; answers show commands
// from `answers`.
class FakeFrr final : public FrrPort {
 public:
  Result<ApplyReport> apply(const std::string& rendering) override {
    applied.push_back(rendering);
    if (failures > 0) {
      --failures;
      return makeError("bgpd.vty: connection refused");
    }
    return ApplyReport{1, false};
  }
  Result<std::string> show(FrrDaemon daemon, const std::string& command) override {
    shown.push_back(command);
    const auto it = answers.find(command);
    if (it == answers.end()) return makeError("no answer for " + command);
    (void)daemon;
    return it->second;
  }

  std::vector<std::string> applied;
  std::vector<std::string> shown;
  int failures = 0;
  std::map<std::string, std::string> answers;
};

class BgpNodeTest : public ::testing::Test {
 protected:
  BgpNodeTest() : node_("node-a", frr_, clock_, util::makeRandomSource(1), &metrics_) {}

  static std::shared_ptr<const lbconfig::Config> config() {
    lbconfig::Config::PoolMap pools;
    lbconfig::Pool p;
    p.name = "public";
    p.ranges.push_back({prefix("203.0.113.0/24").range(), "203.0.113.0/24"});
    pools.emplace("public", p);
    lbconfig::Config::NodeMap nodes;
    nodes.emplace("node-a", lbconfig::NodeInfo{"node-a", {}, false, false});
    return std::make_shared<lbconfig::Config>(std::move(pools),
                                              std::vector<lbconfig::L2Advertisement>{},
                                              lbconfig::Config::NamespaceMap{}, std::move(nodes),
                                              lbconfig::ConfigOptions{"metallb-system", false});
  }

  static lbconfig::BgpConfig bgp(std::string passwordSecret = "") {
    lbconfig::BgpConfig b;
    lbconfig::BgpPeer p;
    p.name = "tor";
    p.myAsn = 64512;
    p.peerAsn = 64513;
    p.address = *net::IpAddress::parse("192.0.2.1");
    p.passwordSecret = std::move(passwordSecret);
    b.peers.emplace("tor", p);
    lbconfig::BgpAdvertisement a;
    a.name = "all";
    a.pools = {"public"};
    b.advertisements.push_back(a);
    return b;
  }

  static std::vector<control::ServiceInput> web() {
    control::ServiceInput s;
    s.key = "default/web";
    s.ips = {*net::IpAddress::parse("203.0.113.5")};
    s.serving = true;
    s.servingNodes = {"node-a"};
    return {s};
  }

  static bool announces(const std::string& rendering) {
    return rendering.find("network 203.0.113.5/32") != std::string::npos;
  }

  util::ManualClock clock_;
  util::MetricsRegistry registry_;
  BgpMetrics metrics_{registry_};
  FakeFrr frr_;
  BgpNode node_;
};

TEST_F(BgpNodeTest, AppliesTheRenderingWhenInputsChange) {
  node_.step();
  EXPECT_TRUE(frr_.applied.empty());  // nothing configured yet
  node_.setConfig(config(), bgp());
  node_.setServices(web());
  node_.step();
  ASSERT_EQ(frr_.applied.size(), 1u);
  EXPECT_TRUE(announces(frr_.applied[0])) << frr_.applied[0];
  EXPECT_TRUE(node_.inSync());
  EXPECT_EQ(node_.plan().verdicts.at(0).reason, Reason::kAnnounced);
  node_.setServices(web());  // same inputs: nothing new to apply
  node_.step();
  EXPECT_EQ(frr_.applied.size(), 1u);
}

TEST_F(BgpNodeTest, RetriesWithBackoffUntilFrrTakesIt) {
  frr_.failures = 3;
  node_.setConfig(config(), bgp());
  node_.setServices(web());
  node_.step();
  EXPECT_FALSE(node_.inSync());
  EXPECT_NE(node_.lastError().find("connection refused"), std::string::npos);
  std::size_t attempts = frr_.applied.size();
  for (int i = 0; i < 60 && !node_.inSync(); ++i) {
    const util::MonoTime next = node_.step();
    ASSERT_GT(next, clock_.now()) << "a failed apply must not be retried at once";
    clock_.advance(next - clock_.now());
    node_.step();
    EXPECT_GE(frr_.applied.size(), attempts);
    attempts = frr_.applied.size();
  }
  EXPECT_TRUE(node_.inSync());
  EXPECT_EQ(frr_.applied.size(), 4u);
  EXPECT_EQ(node_.lastError(), "");
}

TEST_F(BgpNodeTest, PollReappliesAndReportsSessionChanges) {
  frr_.answers["show bgp neighbors json"] =
      R"({"192.0.2.1": {"bgpState": "Established", "addressFamilyInfo":
           {"ipv4Unicast": {"sentPrefixCounter": 1}}}})";
  frr_.answers["show bfd peers json"] = "[]";
  node_.setConfig(config(), bgp());
  node_.setServices(web());
  node_.step();
  const std::vector<SessionEvent> up = node_.takeEvents();
  ASSERT_EQ(up.size(), 1u);
  EXPECT_TRUE(up[0].established);
  EXPECT_EQ(up[0].peer, "tor");
  EXPECT_NE(
      registry_.render().find(R"(metallb_bgp_session_up{peer="192.0.2.1:179",vrf="default"} 1)"),
      std::string::npos);

  const std::size_t applies = frr_.applied.size();
  frr_.answers["show bgp neighbors json"] =
      R"({"192.0.2.1": {"bgpState": "Active", "lastResetDueTo": "Peer closed the session"}})";
  clock_.advance(seconds(5));
  node_.step();
  EXPECT_EQ(frr_.applied.size(),
            applies + 1);  // the poll re-applies (a no-op unless FRR restarted)
  const std::vector<SessionEvent> down = node_.takeEvents();
  ASSERT_EQ(down.size(), 1u);
  EXPECT_FALSE(down[0].established);
  EXPECT_EQ(down[0].detail, "Active (last reset: Peer closed the session)");
  clock_.advance(seconds(5));
  node_.step();
  EXPECT_TRUE(node_.takeEvents().empty());  // no change, no event
}

TEST_F(BgpNodeTest, SessionNeverEstablishedIsReportedOnceWithItsLikelyCauses) {
  frr_.answers["show bgp neighbors json"] = R"({"192.0.2.1": {"bgpState": "Active"}})";
  frr_.answers["show bfd peers json"] = "[]";
  node_.setConfig(config(), bgp("tor-auth"));
  node_.setPasswords({{"tor", "s3cret-value"}});
  node_.setServices(web());
  node_.step();
  EXPECT_TRUE(node_.takeEvents().empty());  // starting: not yet worth a word
  clock_.advance(seconds(10));
  node_.step();
  EXPECT_TRUE(node_.takeEvents().empty());
  clock_.advance(seconds(5));
  node_.step();
  const std::vector<SessionEvent> events = node_.takeEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].established);
  EXPECT_NE(events[0].detail.find("Active; not established"), std::string::npos);
  EXPECT_NE(events[0].detail.find("password in Secret \"tor-auth\""), std::string::npos)
      << events[0].detail;
  EXPECT_EQ(events[0].detail.find("s3cret-value"), std::string::npos);
  clock_.advance(seconds(60));
  node_.step();
  EXPECT_TRUE(node_.takeEvents().empty());  // once

  // Up, then down for good: the flip, then the hint again after the wait.
  frr_.answers["show bgp neighbors json"] = R"({"192.0.2.1": {"bgpState": "Established"}})";
  clock_.advance(seconds(5));
  node_.step();
  EXPECT_TRUE(node_.takeEvents().at(0).established);
}

TEST_F(BgpNodeTest, PeerWithoutItsPasswordIsLeftOutUntilItArrives) {
  node_.setConfig(config(), bgp("tor-auth"));
  node_.setServices(web());
  node_.step();
  ASSERT_EQ(node_.problems().size(), 1u);
  EXPECT_NE(node_.problems()[0].find("Secret \"tor-auth\""), std::string::npos);
  EXPECT_EQ(frr_.applied.back().find("neighbor 192.0.2.1"), std::string::npos);
  node_.setPasswords({{"tor", "Md5-Key"}});
  node_.step();
  EXPECT_TRUE(node_.problems().empty());
  EXPECT_NE(frr_.applied.back().find("neighbor 192.0.2.1 password Md5-Key"), std::string::npos);
  for (const auto& p : node_.problems())
    EXPECT_EQ(p.find("Md5-Key"), std::string::npos);
}

TEST_F(BgpNodeTest, WithdrawAllKeepsSessionsAndDropsRoutes) {
  node_.setConfig(config(), bgp());
  node_.setServices(web());
  node_.step();
  ASSERT_TRUE(announces(frr_.applied.back()));
  ASSERT_TRUE(node_.withdrawAll().ok());
  EXPECT_FALSE(announces(frr_.applied.back())) << frr_.applied.back();
  EXPECT_NE(frr_.applied.back().find("neighbor 192.0.2.1 remote-as 64513"), std::string::npos);
  // Only the network lines go: the route maps stay, and the diff is one `no network` per prefix.
  EXPECT_NE(frr_.applied.back().find(" set tag "), std::string::npos);
  auto diff = diffFrrConfig(frr_.applied[frr_.applied.size() - 2], frr_.applied.back());
  ASSERT_EQ(diff.size(), 1u);
  ASSERT_EQ(diff[0].commands.size(), 7u);
  EXPECT_TRUE(diff[0].commands[3].starts_with("no network 203.0.113.5/32 route-map ironlb-tag-"))
      << diff[0].commands[3];
  diff[0].commands[3] = "";
  EXPECT_EQ(diff[0].commands, (std::vector<std::string>{"configure terminal", "router bgp 64512",
                                                        "address-family ipv4 unicast", "",
                                                        "exit-address-family", "exit", "end"}));
}

}  // namespace
}  // namespace ironlb::bgp
