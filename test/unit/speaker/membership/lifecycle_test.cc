// Member lifecycle: start-up, restart, refutation, graceful leave, withdrawal, list changes.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "test/unit/speaker/membership/cluster_fixture.h"

namespace ironlb::membership::testing {
namespace {

class LifecycleTest : public ClusterTest {};

TEST_F(LifecycleTest, SyncedAsSoonAsEveryMemberIsHeardOf) {
  make(5);
  const util::MonoTime t0 = c().now();
  c().startAll();
  ASSERT_TRUE(c().runUntil([&] { return c().node(0).synced(); }, seconds(1)));
  EXPECT_LT(c().now() - t0, milliseconds(10));
}

// What each start-up sync looked like to the member itself: its live set at that moment.
struct SyncSeen {
  std::size_t node;
  std::vector<std::string> live;
  util::MonoTime at;
};

TEST_F(LifecycleTest, StaggeredStartCountsEveryMemberItselfIncludedWhenSynced) {
  // Seen in 9 of 63 real start-ups: "membership synced: 2 live of 3 expected". A peer's probe
  // named the last unknown member before any peer had echoed our incarnation, so the first
  // live set lacked ourselves and the rightful owner named a peer first.
  make(3);
  std::vector<SyncSeen> synced;
  std::vector<std::size_t> laterLosses;
  c().onEvent = [&](std::size_t node, const Event& e) {
    log_.push_back({node, e});
    if (e.kind == EventKind::kSynced) synced.push_back({node, c().node(node).liveMembers(), e.at});
    const bool afterSync = std::any_of(synced.begin(), synced.end(),
                                       [&](const SyncSeen& s) { return s.node == node; });
    if (afterSync && e.kind == EventKind::kLiveSetChanged && !lives(node, node))
      laterLosses.push_back(node);
  };
  for (std::size_t i : all()) {
    c().start(i);
    c().runFor(milliseconds(3));
  }
  ASSERT_TRUE(c().runUntil([&] { return synced.size() == 3; }, seconds(1)));
  for (const auto& s : synced) {
    EXPECT_EQ(s.live, c().namesOf(all())) << "node " << s.node;
  }
  c().runFor(milliseconds(500));
  EXPECT_TRUE(laterLosses.empty());
}

TEST_F(LifecycleTest, RestartedMemberCountsItselfInItsFirstLiveSet) {
  make(3);
  startAndConverge();
  // The restarted process's join probes are late: the peers' probes (still naming the old
  // incarnation) arrive first and make every member known before anyone echoed the new one.
  bool joinLost = true;
  c().dropIf = [&](std::size_t from, std::size_t, std::span<const uint8_t>) {
    return from == 0 && joinLost;
  };
  std::vector<std::vector<std::string>> liveSets;
  std::optional<std::vector<std::string>> atSync;
  bool peersKnewAtSync = false;
  c().onEvent = [&](std::size_t node, const Event& e) {
    log_.push_back({node, e});
    if (node != 0) return;
    if (e.kind == EventKind::kSynced) {
      atSync = c().node(0).liveMembers();
      // The owner it takes IPs from has heard of the new process already.
      peersKnewAtSync = info(1, 0).incarnation == c().node(0).incarnation() &&
                        info(2, 0).incarnation == c().node(0).incarnation();
    }
    if (atSync && e.kind == EventKind::kLiveSetChanged)
      liveSets.push_back(c().node(0).liveMembers());
  };
  c().restart(0);
  ASSERT_TRUE(c().runUntil(
      [&] {
        return info(0, 1).status == MemberStatus::kAlive &&
               info(0, 2).status == MemberStatus::kAlive;
      },
      seconds(1)));
  c().runFor(milliseconds(20));
  joinLost = false;
  ASSERT_TRUE(c().runUntil([&] { return atSync.has_value(); }, seconds(1)));
  EXPECT_EQ(*atSync, c().namesOf(all()));
  EXPECT_TRUE(peersKnewAtSync);
  c().runFor(milliseconds(500));
  for (const auto& live : liveSets)
    EXPECT_EQ(live, c().namesOf(all()));
}

TEST_F(LifecycleTest, SyncedAtEndOfStartupWindowWhenAMemberNeverAnswers) {
  make(4);
  const util::MonoTime t0 = c().now();
  for (std::size_t i : {0, 1, 2})
    c().start(i);
  ASSERT_TRUE(c().runUntil([&] { return c().node(0).synced(); }, seconds(2)));
  EXPECT_GE(c().now() - t0, Timers{}.startupWindow);
  EXPECT_EQ(c().node(0).liveMembers(), c().namesOf({0, 1, 2}));
  EXPECT_EQ(info(0, 3).status, MemberStatus::kUnknown);
  // A member that starts late joins at once.
  c().start(3);
  EXPECT_TRUE(agreeOn(all(), milliseconds(50)));
}

TEST_F(LifecycleTest, RestartedMemberRejoinsAsANewIncarnation) {
  make(6);
  startAndConverge();
  const uint64_t before = c().node(2).incarnation();
  std::vector<uint8_t> oldPing;
  c().onSend = [&](std::size_t from, std::size_t to, std::span<const uint8_t> bytes) {
    if (from == 2 && to == 0 && oldPing.empty()) oldPing.assign(bytes.begin(), bytes.end());
  };
  c().runFor(milliseconds(200));
  c().onSend = nullptr;
  ASSERT_FALSE(oldPing.empty());
  c().kill(2);
  ASSERT_TRUE(agreeOn(allBut({2})));
  c().runFor(milliseconds(100));
  c().restart(2);
  ASSERT_TRUE(agreeOn(all(), milliseconds(50)));
  EXPECT_GT(c().node(2).incarnation(), before);
  for (std::size_t i : allBut({2})) {
    EXPECT_EQ(info(i, 2).incarnation, c().node(2).incarnation()) << i;
  }
  // A packet of the old process, replayed, is recognised as stale.
  const uint64_t staleBefore = rejected(0, RejectReason::kStaleIncarnation);
  c().inject(0, oldPing);
  c().runFor(milliseconds(10));
  EXPECT_EQ(rejected(0, RejectReason::kStaleIncarnation), staleBefore + 1);
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
}

TEST_F(LifecycleTest, QuickRestartIsNotADeath) {
  make(6);
  startAndConverge();
  const util::MonoTime t0 = c().now();
  c().kill(4);
  c().runFor(milliseconds(30));
  c().restart(4);
  c().runFor(seconds(1));
  EXPECT_EQ(deathsOf(4, t0), 0);
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
  for (std::size_t i : allBut({4}))
    EXPECT_EQ(info(i, 4).incarnation, c().node(4).incarnation());
}

TEST_F(LifecycleTest, RestartDuringSuspicionIsNotDeclaredDead) {
  // Seen in the restart e2e: a speaker back 190 ms after SIGKILL was declared dead at its new
  // incarnation by the verdict gathered against its predecessor; it refuted, and its first
  // decisions flipped. A verdict is about the incarnation that was suspected. (Without that
  // rule this fails for restarts 226-232 ms after the kill; every 2 ms is tried.)
  for (int delayMs = 100; delayMs <= 300; delayMs += 2) {
    log_.clear();
    make(3);
    startAndConverge();
    c().kill(1);
    c().runFor(milliseconds(delayMs));
    const bool alreadyDead = !lives(0, 1) || !lives(2, 1);
    const util::MonoTime t0 = c().now();
    c().restart(1);
    ASSERT_TRUE(agreeOn(all(), seconds(2))) << delayMs;
    c().runFor(milliseconds(500));
    EXPECT_EQ(c().node(1).counters().refutations, 0u) << "restart after " << delayMs << " ms";
    // Declared before it came back: the old process's death, learnt late by some, is fine.
    if (!alreadyDead) {
      EXPECT_EQ(deathsOf(1, t0), 0) << "restart after " << delayMs << " ms";
    }
  }
}

TEST_F(LifecycleTest, FalselyDeclaredMemberRefutesWithAHigherIncarnation) {
  make(6);
  startAndConverge();
  const std::size_t x = 3;
  const uint64_t before = c().node(x).incarnation();
  for (std::size_t i : allBut({x}))
    cutBoth(i, x, true);
  ASSERT_TRUE(c().runUntil(
      [&] {
        for (std::size_t i : allBut({x})) {
          if (info(i, x).status != MemberStatus::kDead) return false;
        }
        return true;
      },
      seconds(2)));
  for (std::size_t i : allBut({x}))
    cutBoth(i, x, false);
  // Revival probes tell it it was declared dead; it refutes and everyone takes it back.
  ASSERT_TRUE(agreeOn(all(), seconds(3)));
  EXPECT_GT(c().node(x).incarnation(), before);
  EXPECT_GE(c().node(x).counters().refutations, 1u);
  for (std::size_t i : allBut({x})) {
    EXPECT_EQ(info(i, x).status, MemberStatus::kAlive);
    EXPECT_EQ(info(i, x).incarnation, c().node(x).incarnation());
  }
}

TEST_F(LifecycleTest, GracefulLeaveIsAppliedAtOnceWithoutTimeouts) {
  make(8);
  startAndConverge();
  const util::MonoTime t0 = c().now();
  c().leave(6);
  ASSERT_TRUE(agreeOn(allBut({6}), milliseconds(100)));
  EXPECT_LT(c().now() - t0, milliseconds(5));
  EXPECT_EQ(first(EventKind::kSuspected, name(6), t0), nullptr);
  for (std::size_t i : allBut({6}))
    EXPECT_EQ(info(i, 6).status, MemberStatus::kLeft);
  ASSERT_TRUE(c().runUntil([&] { return count(EventKind::kLeaveDone, 6) == 1; }, seconds(1)));
  // Three goodbyes to each of the 7 others, then silence.
  EXPECT_EQ(c().node(6).counters().sent[static_cast<std::size_t>(MessageType::kNotice)], 21u);
  const uint64_t sent = c().node(6).counters().sent[static_cast<std::size_t>(MessageType::kPing)];
  c().runFor(milliseconds(500));
  EXPECT_EQ(c().node(6).counters().sent[static_cast<std::size_t>(MessageType::kPing)], sent);
  EXPECT_GT(rejected(6, RejectReason::kAfterLeave), 0u);
}

TEST_F(LifecycleTest, GracefulLeaveSurvivesHeavyLoss) {
  sim::NetworkConfig net;
  net.seed = 11;
  make(8, net);
  startAndConverge();
  c().setLoss(0.4);
  c().leave(2);
  c().runFor(milliseconds(30));
  c().kill(2);  // the process exits after its goodbyes
  EXPECT_TRUE(c().runUntil(
      [&] {
        for (std::size_t i : allBut({2})) {
          if (info(i, 2).status != MemberStatus::kLeft) return false;
        }
        return true;
      },
      seconds(3)));
}

TEST_F(LifecycleTest, WithdrawalPropagatesAndIsReversible) {
  make(6);
  startAndConverge();
  const uint64_t inc = c().node(1).incarnation();
  const util::MonoTime t0 = c().now();
  c().setWithdrawn(1, true);
  ASSERT_TRUE(agreeOn(allBut({1}), milliseconds(50)));
  EXPECT_FALSE(lives(1, 1));
  for (std::size_t i : allBut({1}))
    EXPECT_EQ(info(i, 1).status, MemberStatus::kWithdrawn);
  c().runFor(milliseconds(500));
  EXPECT_EQ(anyDeaths(t0), 0);  // still monitored and answering
  const util::MonoTime t1 = c().now();
  c().setWithdrawn(1, false);
  ASSERT_TRUE(agreeOn(all(), milliseconds(50)));
  EXPECT_EQ(c().node(1).incarnation(), inc + 2);
  for (const auto& l : log_) {
    if (l.node == 1 && l.event.kind == EventKind::kMemberChanged && l.event.at >= t1) {
      EXPECT_EQ(l.event.from, MemberStatus::kWithdrawn);
      EXPECT_EQ(l.event.to, MemberStatus::kAlive);
    }
  }
  const Logged* back = first(EventKind::kMemberChanged, name(1), t1);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->event.from, MemberStatus::kWithdrawn);
  // A withdrawn member that then dies is still detected.
  c().setWithdrawn(1, true);
  c().runFor(milliseconds(100));
  c().kill(1);
  EXPECT_TRUE(c().runUntil(
      [&] {
        for (std::size_t i : allBut({1})) {
          if (info(i, 1).status != MemberStatus::kDead) return false;
        }
        return true;
      },
      seconds(2)));
}

TEST_F(LifecycleTest, ExpectedMemberListChangesAtRuntime) {
  make(5);
  const std::vector<std::size_t> four = {0, 1, 2, 3};
  for (std::size_t i : four)
    ASSERT_TRUE(c().setMembers(i, four).ok());
  for (std::size_t i : all())
    c().start(i);
  // Node 4 is not expected by the others yet: its packets are dropped (its address is no
  // member's) before they are even authenticated.
  ASSERT_TRUE(
      c().runUntil([&] { return c().node(0).liveMembers() == c().namesOf(four); }, seconds(1)));
  c().runFor(milliseconds(300));
  EXPECT_GT(rejected(0, RejectReason::kUnknownSource), 0u);
  EXPECT_FALSE(lives(0, 4));
  // Kubernetes adds it.
  for (std::size_t i : four)
    ASSERT_TRUE(c().setMembers(i, all()).ok());
  EXPECT_TRUE(agreeOn(all(), seconds(2)));
  // Kubernetes removes node 3 (still running): everybody drops it and ignores it.
  for (std::size_t i : allBut({3}))
    ASSERT_TRUE(c().setMembers(i, allBut({3})).ok());
  EXPECT_EQ(c().node(0).liveMembers(), c().namesOf(allBut({3})));
  EXPECT_GE(count(EventKind::kMemberRemoved, 0), 1);
  const uint64_t unknown = rejected(0, RejectReason::kUnknownSource);
  c().runFor(milliseconds(500));
  EXPECT_GT(rejected(0, RejectReason::kUnknownSource), unknown);
  for (std::size_t i : allBut({3}))
    EXPECT_FALSE(lives(i, 3)) << i;
  EXPECT_EQ(anyDeaths(), 0);
}

TEST_F(LifecycleTest, InvalidMemberListIsRejectedWithoutChange) {
  make(3);
  startAndConverge();
  Status s = c().node(0).setMembers(
      std::vector<MemberSpec>{{"node-0001", Endpoint{}}, {"node-0001", Endpoint{}}}, c().now());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("node-0001"), std::string::npos) << s.error();
  EXPECT_EQ(c().node(0).memberCount(), 3u);
}

TEST(ConfigTest, RejectsUnsafeSettings) {
  struct Case {
    const char* name;
    void (*mutate)(Config&);
    const char* error;
  };
  const Case cases[] = {
      {"defaults", [](Config&) {}, nullptr},
      {"no name", [](Config& c) { c.selfName.clear(); }, "selfName"},
      {"port 0", [](Config& c) { c.selfEndpoint.port = 0; }, "selfEndpoint"},
      {"incarnation 0", [](Config& c) { c.startIncarnation = 0; }, "startIncarnation"},
      {"one miss suspects", [](Config& c) { c.timers.suspectAfterMisses = 1; },
       "suspectAfterMisses"},
      {"zero probe interval", [](Config& c) { c.timers.probeInterval = Duration::zero(); },
       "probeInterval"},
      {"retry after timeout", [](Config& c) { c.timers.helperRetry = milliseconds(100); },
       "helperRetry"},
      {"no monitors", [](Config& c) { c.timers.monitors = 0; }, "monitors"},
  };
  for (const auto& tc : cases) {
    Config config;
    config.selfName = "node-a";
    config.selfEndpoint = Endpoint{*net::IpAddress::parse("192.0.2.1"), 7946};
    tc.mutate(config);
    Status s = validate(config);
    if (tc.error == nullptr) {
      EXPECT_TRUE(s.ok()) << tc.name;
    } else {
      ASSERT_FALSE(s.ok()) << tc.name;
      EXPECT_NE(s.error().find(tc.error), std::string::npos) << tc.name << ": " << s.error();
    }
  }
}

}  // namespace
}  // namespace ironlb::membership::testing
