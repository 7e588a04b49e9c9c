#include "speaker/control/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "test/unit/speaker/control/cluster.h"

namespace ironlb::control {
namespace {

using namespace testing;  // NOLINT: the test cluster helpers
using Names = std::vector<std::string>;

lbconfig::Snapshot snapshot(int nodes, bool zoneBOnlyForMain = false) {
  lbconfig::Snapshot s;
  for (int i = 0; i < nodes; ++i)
    s.nodes.push_back(node("n" + std::to_string(i), {{"zone", i % 2 ? "b" : "a"}}));
  s.pools = {pool("main", {"192.0.2.0/26", "2001:db8::/122"}), pool("zonea", {"198.51.100.0/26"})};
  if (zoneBOnlyForMain) {
    s.l2Advertisements.push_back(
        adv({.name = "main", .pools = {"main"}, .nodeSelectors = {{{"zone", "b"}}}}));
  } else {
    s.l2Advertisements.push_back(adv({.name = "main", .pools = {"main"}}));
  }
  s.l2Advertisements.push_back(adv({.name = "zonea",
                                    .pools = {"zonea"},
                                    .nodeSelectors = {{{"zone", "a"}}},
                                    .interfaces = {"eth1"}}));
  return s;
}

// The from-scratch answer every incremental state must equal.
void expectMatchesScratch(const Planner& p) {
  CandidateCache cache;
  std::map<net::IpAddress, std::vector<const ServiceInput*>> users;
  for (const auto& [key, s] : p.services())
    for (const auto& a : s.ips)
      users[a].push_back(&s);
  ASSERT_EQ(p.decisions().size(), users.size());
  announcer::Desired desired;
  for (const auto& [a, services] : users) {
    const IpDecision fresh = decide(a, services, p.config(), p.live(), cache);
    const IpDecision* kept = p.decision(a);
    ASSERT_NE(kept, nullptr) << a.toString();
    EXPECT_TRUE(kept->sameOutcome(fresh))
        << a.toString() << ": kept winner " << kept->winner.value_or("-") << ", fresh "
        << fresh.winner.value_or("-");
    EXPECT_EQ(kept->winnerScore, fresh.winnerScore) << a.toString();
    if (fresh.winner == p.self()) {
      const auto on = interfacesFor(fresh, services, p.config(), p.self());
      desired[a] = on.all ? std::set<std::string>{}
                          : std::set<std::string>(on.names.begin(), on.names.end());
    }
  }
  EXPECT_EQ(p.desired(), desired);
}

Names liveOf(int nodes) {
  Names out;
  for (int i = 0; i < nodes; ++i)
    out.push_back("n" + std::to_string(i));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Planner, IncrementalEqualsFromScratchOverRandomHistories) {
  std::mt19937 rng(12345);
  const int kNodes = 9;
  const std::vector<std::string> v4 = {"192.0.2.1",    "192.0.2.2",    "192.0.2.3",
                                       "198.51.100.1", "198.51.100.2", "203.0.113.1"};
  const std::vector<std::string> v6 = {"2001:db8::1", "2001:db8::2"};
  for (int history = 0; history < 30; ++history) {
    Planner p("n" + std::to_string(history % kNodes));
    auto changes = p.setConfig(build(snapshot(kNodes)));
    EXPECT_TRUE(changes.empty());
    for (int step = 0; step < 60; ++step) {
      SCOPED_TRACE("history " + std::to_string(history) + " step " + std::to_string(step));
      // Snapshot before the step, to check that the Change list is exactly the difference.
      std::map<net::IpAddress, IpDecision> before = p.decisions();
      const int op = static_cast<int>(rng() % 10);
      if (op < 4) {
        SvcSpec spec;
        spec.key = "ns/s" + std::to_string(rng() % 6);
        spec.ips.push_back(rng() % 3 ? v4[rng() % v4.size()] : v6[rng() % v6.size()]);
        if (rng() % 3 == 0) spec.ips.push_back(v6[rng() % v6.size()]);
        if (spec.ips.size() == 2 && spec.ips[0] == spec.ips[1]) spec.ips.pop_back();
        spec.serving = rng() % 5 != 0;
        spec.local = rng() % 3 == 0;
        for (int i = 0; i < kNodes; ++i)
          if (rng() % 3 == 0) spec.servingNodes.push_back("n" + std::to_string(i));
        std::sort(spec.servingNodes.begin(), spec.servingNodes.end());
        changes = p.upsertService(svc(spec));
      } else if (op < 5) {
        changes = p.removeService("ns/s" + std::to_string(rng() % 6));
      } else if (op < 9) {
        Names live;
        for (const auto& n : liveOf(kNodes))
          if (rng() % 4 != 0) live.push_back(n);
        changes = p.setLive(live);
      } else {
        changes = p.setConfig(build(snapshot(kNodes, rng() % 2 == 0)));
      }
      expectMatchesScratch(p);
      // Every changed IP is reported once, and nothing else.
      std::set<net::IpAddress> reported;
      for (const auto& c : changes) {
        EXPECT_TRUE(reported.insert(c.ip).second) << c.ip.toString();
        const auto was = before.find(c.ip);
        EXPECT_EQ(c.before.has_value(), was != before.end());
        if (c.before && was != before.end()) {
          EXPECT_TRUE(c.before->sameOutcome(was->second));
        }
        const IpDecision* now = p.decision(c.ip);
        EXPECT_EQ(c.after.has_value(), now != nullptr);
        if (c.after && now) {
          EXPECT_TRUE(c.after->sameOutcome(*now));
        }
      }
      for (const auto& [a, d] : p.decisions()) {
        if (reported.count(a)) continue;
        auto was = before.find(a);
        ASSERT_NE(was, before.end()) << "new IP not reported: " << a.toString();
        EXPECT_TRUE(was->second.sameOutcome(d)) << "unreported change: " << a.toString();
      }
    }
  }
}

TEST(Planner, LiveChangesCostOnlyWhatRendezvousHashingMoves) {
  const int kNodes = 20;
  Planner p("n0");
  p.setConfig(build(snapshot(kNodes)));
  p.setLive(liveOf(kNodes));
  // 64 IPv4 addresses of "main", each its own Service.
  for (int i = 0; i < 64; ++i)
    p.upsertService(svc({"ns/s" + std::to_string(i), {"192.0.2." + std::to_string(i)}}));
  const PlannerStats base = p.stats();
  EXPECT_EQ(base.ipsDecided, 64u);

  // Find a node that wins nothing, and one that wins something.
  std::map<std::string, int> wins;
  for (const auto& [a, d] : p.decisions())
    ++wins[*d.winner];
  std::string idle, busy;
  for (const auto& n : liveOf(kNodes)) {
    if (!wins.count(n) && idle.empty()) idle = n;
    if (wins.count(n) && busy.empty()) busy = n;
  }
  ASSERT_FALSE(idle.empty());
  ASSERT_FALSE(busy.empty());

  // A node that wins nothing leaves: no decision changes, no hashing at all.
  Names withoutIdle = liveOf(kNodes);
  withoutIdle.erase(std::find(withoutIdle.begin(), withoutIdle.end(), idle));
  EXPECT_TRUE(p.setLive(withoutIdle).empty());
  EXPECT_EQ(p.stats().scoresComputed, base.scoresComputed);
  EXPECT_EQ(p.stats().ipsDecided, base.ipsDecided);

  // A winner leaves: exactly its IPs are re-elected (19 live candidates each).
  Names withoutBusy = withoutIdle;
  withoutBusy.erase(std::find(withoutBusy.begin(), withoutBusy.end(), busy));
  const auto changes = p.setLive(withoutBusy);
  EXPECT_EQ(changes.size(), static_cast<std::size_t>(wins[busy]));
  for (const auto& c : changes) {
    EXPECT_EQ(c.before->winner, busy);
    EXPECT_NE(c.after->winner, busy);
  }
  EXPECT_EQ(p.stats().winnersReelected - base.winnersReelected, static_cast<uint64_t>(wins[busy]));
  EXPECT_EQ(p.stats().scoresComputed - base.scoresComputed,
            static_cast<uint64_t>(wins[busy]) * (kNodes - 2));
  EXPECT_EQ(p.stats().ipsDecided, base.ipsDecided);

  // It comes back: one score per IP it is eligible for, and it takes back exactly what it had.
  const PlannerStats mid = p.stats();
  Names withBusy = withoutBusy;
  withBusy.push_back(busy);
  std::sort(withBusy.begin(), withBusy.end());
  EXPECT_EQ(p.setLive(withBusy).size(), static_cast<std::size_t>(wins[busy]));
  EXPECT_EQ(p.stats().scoresComputed - mid.scoresComputed, 64u);
  expectMatchesScratch(p);
}

TEST(Planner, ConfigurationChangeHashesOnlyWhereEligibilityChanged) {
  Planner p("n0");
  p.setConfig(build(snapshot(20)));
  p.setLive(liveOf(20));
  for (int i = 0; i < 64; ++i)
    p.upsertService(svc({"ns/s" + std::to_string(i), {"192.0.2." + std::to_string(i)}}));
  const uint64_t base = p.stats().scoresComputed;
  // The same configuration again (a Node label nobody selects on changed): every IP is
  // re-decided, nothing is hashed, nothing changes.
  EXPECT_TRUE(p.setConfig(build(snapshot(20))).empty());
  EXPECT_EQ(p.stats().scoresComputed, base);
  // "main" narrowed to zone b: IPs won in zone a are re-elected in full, the others keep their
  // winner without hashing (nobody became eligible).
  int zoneAWins = 0;
  for (const auto& [a, d] : p.decisions())
    zoneAWins += std::stoi(d.winner->substr(1)) % 2 == 0;
  const auto changes = p.setConfig(build(snapshot(20, true)));
  EXPECT_EQ(changes.size(), 64u);  // every IP's eligible set changed
  EXPECT_EQ(p.stats().scoresComputed - base, static_cast<uint64_t>(zoneAWins) * 10);
  expectMatchesScratch(p);
}

TEST(Planner, SharedAndDualStackIpsFollowOneDecision) {
  Planner p("n1");
  p.setConfig(build(snapshot(6)));
  p.setLive(liveOf(6));
  p.upsertService(svc({"ns/a", {"192.0.2.7", "2001:db8::7"}}));
  p.upsertService(svc({"ns/b", {"192.0.2.7"}}));
  const IpDecision* v4 = p.decision(ip("192.0.2.7"));
  const IpDecision* v6 = p.decision(ip("2001:db8::7"));
  ASSERT_TRUE(v4 && v6);
  EXPECT_EQ(v4->key, ip("192.0.2.7"));
  EXPECT_EQ(v6->key, ip("192.0.2.7"));
  EXPECT_EQ(v4->winner, v6->winner);
  EXPECT_EQ(v4->services.size(), 2u);
  EXPECT_EQ(p.servicesOf(ip("192.0.2.7")).size(), 2u);

  // Removing one sharer keeps the IP; removing both drops it (reported as gone).
  EXPECT_TRUE(p.removeService("ns/b").size() <= 1u);
  ASSERT_NE(p.decision(ip("192.0.2.7")), nullptr);
  const auto gone = p.removeService("ns/a");
  EXPECT_EQ(gone.size(), 2u);
  for (const auto& c : gone)
    EXPECT_FALSE(c.after.has_value());
  EXPECT_TRUE(p.decisions().empty());
  EXPECT_TRUE(p.desired().empty());
}

TEST(Planner, DesiredCarriesTheInterfacesOfTheAdvertisements) {
  // Only n0 is live, so it wins everything it is eligible for.
  Planner p("n0");
  p.setConfig(build(snapshot(4)));
  p.setLive({"n0"});
  p.upsertService(svc({"ns/a", {"192.0.2.1"}}));
  p.upsertService(svc({"ns/b", {"198.51.100.1"}}));
  EXPECT_EQ(p.desired(),
            (announcer::Desired{{ip("192.0.2.1"), {}}, {ip("198.51.100.1"), {"eth1"}}}));
  EXPECT_EQ(p.selfInterfaces(), (lbconfig::InterfaceSet{true, {}}));
  // Another node takes over everything: nothing left to announce.
  p.setLive({"n1", "n2"});
  EXPECT_TRUE(p.desired().empty());
}

TEST(Planner, UnchangedServiceCostsNothing) {
  Planner p("n0");
  p.setConfig(build(snapshot(4)));
  p.setLive(liveOf(4));
  const ServiceInput s = svc({"ns/a", {"192.0.2.1"}});
  EXPECT_EQ(p.upsertService(s).size(), 1u);
  const uint64_t decided = p.stats().ipsDecided;
  EXPECT_TRUE(p.upsertService(s).empty());
  EXPECT_EQ(p.stats().ipsDecided, decided);
}

}  // namespace
}  // namespace ironlb::control
