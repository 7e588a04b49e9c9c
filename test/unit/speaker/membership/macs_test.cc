// Announcing MACs over membership (docs/duplicate-owner.md): every member learns each peer's
// MACs over the authenticated channel, repairs a lost announcement, relearns after a restart,
// and keeps a dead peer's MACs (a speaker cut off from membership is still a speaker).

#include <gtest/gtest.h>

#include "test/unit/speaker/membership/cluster_fixture.h"

namespace ironlb::membership::testing {
namespace {

LinkMac macOf(std::size_t node, uint8_t nic = 0) {
  return {0x02, 0x00, 0x00, 0x00, static_cast<uint8_t>(node), nic};
}

class MacsTest : public ClusterTest {
 protected:
  void announceAll() {
    for (std::size_t i = 0; i < c().size(); ++i)
      c().setMacs(i, {macOf(i, 0), macOf(i, 1)});
  }
  // Every up node knows every other node's MACs (and none claims its own).
  bool allKnown() {
    for (std::size_t i = 0; i < c().size(); ++i) {
      if (!c().up(i)) continue;
      for (std::size_t j = 0; j < c().size(); ++j) {
        for (uint8_t nic = 0; nic < 2; ++nic) {
          const std::string* who = c().node(i).memberOfMac(macOf(j, nic));
          if (i == j ? who != nullptr : (who == nullptr || *who != name(j))) return false;
        }
      }
    }
    return true;
  }
  static bool isMacs(std::span<const uint8_t> bytes) {
    return sim::SimCluster::typeOf(bytes) == static_cast<uint8_t>(MessageType::kMacs);
  }
};

TEST_F(MacsTest, EveryMemberLearnsEachPeersMacs) {
  make(4);
  announceAll();
  startAndConverge();
  EXPECT_TRUE(c().runUntil([&] { return allKnown(); }, milliseconds(100)));
  EXPECT_EQ(c().node(0).memberOfMac({0x02, 0, 0, 0, 0x77, 0}), nullptr) << "an unknown MAC";
  // Steady state: about 4 kMacs per second per node.
  const uint64_t before = c().node(0).counters().sent[static_cast<std::size_t>(MessageType::kMacs)];
  c().runFor(seconds(10));
  const uint64_t sent =
      c().node(0).counters().sent[static_cast<std::size_t>(MessageType::kMacs)] - before;
  EXPECT_GE(sent, 38u);
  EXPECT_LE(sent, 42u);
}

TEST_F(MacsTest, LostAnnouncementsAreRepairedByTheRefresh) {
  make(5);
  bool drop = true;
  c().dropIf = [&](std::size_t, std::size_t, std::span<const uint8_t> b) {
    return drop && isMacs(b);
  };
  announceAll();
  startAndConverge();
  c().runFor(milliseconds(300));
  EXPECT_FALSE(allKnown());
  drop = false;
  // Round robin over 4 peers, one every 250 ms.
  EXPECT_TRUE(c().runUntil([&] { return allKnown(); }, milliseconds(1100)));
}

TEST_F(MacsTest, ChangesReachEveryoneAtOnceAndRestartsRelearn) {
  make(3);
  announceAll();
  startAndConverge();
  ASSERT_TRUE(c().runUntil([&] { return allKnown(); }, milliseconds(100)));
  // Node 2 gains a NIC and loses one.
  c().setMacs(2, {macOf(2, 0), macOf(2, 9)});
  c().runFor(milliseconds(5));
  for (std::size_t i : {0u, 1u}) {
    ASSERT_NE(c().node(i).memberOfMac(macOf(2, 9)), nullptr);
    EXPECT_EQ(c().node(i).memberOfMac(macOf(2, 1)), nullptr);
  }
  c().setMacs(2, {macOf(2, 0), macOf(2, 1)});
  // A restarted process knows nobody's MACs; the peers answer its join with theirs.
  c().restart(0);
  EXPECT_TRUE(c().runUntil([&] { return allKnown(); }, milliseconds(300)));
}

TEST_F(MacsTest, DeadPeersMacsAreKeptRemovedMembersForgotten) {
  make(3);
  announceAll();
  startAndConverge();
  ASSERT_TRUE(c().runUntil([&] { return allKnown(); }, milliseconds(100)));
  c().kill(2);
  ASSERT_TRUE(agreeOn({0, 1}));
  ASSERT_NE(c().node(0).memberOfMac(macOf(2)), nullptr);
  EXPECT_EQ(*c().node(0).memberOfMac(macOf(2)), name(2));
  ASSERT_TRUE(c().setMembers(0, {0, 1}).ok());
  EXPECT_EQ(c().node(0).memberOfMac(macOf(2)), nullptr);
}

}  // namespace
}  // namespace ironlb::membership::testing
