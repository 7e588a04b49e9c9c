// Authentication and replay protection: forged, replayed, misdirected and malformed packets
// are rejected and counted and change nothing; keys rotate without disruption.

#include <gtest/gtest.h>

#include "speaker/membership/message.h"
#include "test/unit/speaker/membership/cluster_fixture.h"

namespace ironlb::membership::testing {
namespace {

class SecurityTest : public ClusterTest {
 protected:
  std::vector<uint8_t> sign(const Message& m, const std::vector<uint8_t>& key) {
    auto k = HmacKey::create(key);
    EXPECT_TRUE(k.ok());
    std::vector<uint8_t> out(messageSize(m.type, m.updateCount));
    encode(m, *k, out);
    return out;
  }
  // A notice "from" node 1 to node 0 claiming node 2 is dead.
  Message deathClaim() {
    Message m;
    m.type = MessageType::kNotice;
    m.sender = memberIdOf(name(1));
    m.senderIncarnation = c().node(1).incarnation();
    m.sequence = 1'000'000'000;
    m.destination = memberIdOf(name(0));
    m.destinationIncarnation = c().node(0).incarnation();
    m.destinationStatus = MemberStatus::kAlive;
    m.updateCount = 1;
    m.updates[0] = Update{memberIdOf(name(2)), c().node(2).incarnation(), MemberStatus::kDead};
    return m;
  }
};

TEST_F(SecurityTest, HostilePacketsAreRejectedByReasonAndChangeNothing) {
  make(3);
  std::vector<uint8_t> from1to0;
  std::vector<uint8_t> from0to1;
  c().onSend = [&](std::size_t from, std::size_t to, std::span<const uint8_t> bytes) {
    if (from == 1 && to == 0 && from1to0.empty()) from1to0.assign(bytes.begin(), bytes.end());
    if (from == 0 && to == 1 && from0to1.empty()) from0to1.assign(bytes.begin(), bytes.end());
  };
  startAndConverge();
  c().runFor(milliseconds(200));
  c().onSend = nullptr;
  ASSERT_FALSE(from1to0.empty());
  ASSERT_FALSE(from0to1.empty());
  const util::MonoTime t0 = c().now();

  auto flipped = from1to0;
  flipped[20] ^= 0x01;
  Message intruder = deathClaim();
  intruder.sender = memberIdOf("intruder");
  struct Case {
    const char* name;
    std::size_t to;
    std::vector<uint8_t> bytes;
    RejectReason reason;
  };
  const Case cases[] = {
      {"replayed", 0, from1to0, RejectReason::kReplay},
      {"sent to another member", 2, from1to0, RejectReason::kWrongDestination},
      {"our own packet reflected", 0, from0to1, RejectReason::kFromSelf},
      {"bit flipped", 0, flipped, RejectReason::kBadMac},
      {"garbage", 0, std::vector<uint8_t>(200, 0x5a), RejectReason::kMalformed},
      {"empty", 0, {}, RejectReason::kMalformed},
      {"forged with another key", 0, sign(deathClaim(), std::vector<uint8_t>(32, 0xee)),
       RejectReason::kUnknownKey},
      {"unknown sender with our key", 0, sign(intruder, sim::SimCluster::testKey()),
       RejectReason::kUnknownSender},
  };
  for (const auto& tc : cases) {
    const uint64_t before = rejected(tc.to, tc.reason);
    c().inject(tc.to, tc.bytes);
    c().runFor(milliseconds(1));
    EXPECT_EQ(rejected(tc.to, tc.reason), before + 1) << tc.name;
  }
  c().runFor(milliseconds(500));
  EXPECT_EQ(anyDeaths(t0), 0);
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
}

TEST_F(SecurityTest, ClaimAtTheIncarnationBoundIsIgnored) {
  // A claim of 2^62 used to saturate our incarnation (so it could never be refuted again).
  // Incarnations are bounded by time now: it is ignored and counted, nothing changes.
  make(3);
  startAndConverge();
  const uint64_t ours = c().node(0).incarnation();
  Message m = deathClaim();
  m.updates[0] = Update{memberIdOf(name(0)), kMaxIncarnation, MemberStatus::kDead};
  c().inject(0, sign(m, sim::SimCluster::testKey()));
  c().runFor(milliseconds(500));
  EXPECT_EQ(c().node(0).incarnation(), ours);
  EXPECT_EQ(c().node(0).counters().refutations, 0u);
  EXPECT_EQ(c().node(0).counters().futureClaims, 1u);
  EXPECT_EQ(rejected(1, RejectReason::kMalformed), 0u);
  EXPECT_EQ(rejected(2, RejectReason::kMalformed), 0u);
}

TEST_F(SecurityTest, ReplayOutsideTheWindowIsRejected) {
  make(3);
  std::vector<std::vector<uint8_t>> captured;
  c().onSend = [&](std::size_t from, std::size_t to, std::span<const uint8_t> bytes) {
    if (from == 1 && to == 0) captured.emplace_back(bytes.begin(), bytes.end());
  };
  startAndConverge();
  c().runFor(seconds(3));  // well over 64 packets from 1 to 0
  c().onSend = nullptr;
  ASSERT_GT(captured.size(), 100u);
  const uint64_t before = rejected(0, RejectReason::kReplay);
  for (std::size_t i = 0; i < 10; ++i)
    c().inject(0, captured[i]);
  c().runFor(milliseconds(5));
  EXPECT_EQ(rejected(0, RejectReason::kReplay), before + 10);
}

TEST_F(SecurityTest, KeysRotateWithoutDisruption) {
  make(5);
  startAndConverge();
  const util::MonoTime t0 = c().now();
  const auto a = sim::SimCluster::testKey(0);
  const auto b = sim::SimCluster::testKey(1);
  // 1: everyone accepts the next key; 2: nodes switch to signing with it one by one;
  // 3: the old key is dropped.
  for (std::size_t i : all()) {
    ASSERT_TRUE(c().setKeys(i, {a, b}).ok());
    c().runFor(milliseconds(100));
  }
  for (std::size_t i : all()) {
    ASSERT_TRUE(c().setKeys(i, {b, a}).ok());
    c().runFor(milliseconds(100));
  }
  for (std::size_t i : all()) {
    ASSERT_TRUE(c().setKeys(i, {b}).ok());
    c().runFor(milliseconds(100));
  }
  c().runFor(seconds(1));
  EXPECT_EQ(anyDeaths(t0), 0);
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
  for (std::size_t i : all())
    EXPECT_EQ(rejected(i, RejectReason::kUnknownKey), 0u) << i;
}

TEST_F(SecurityTest, MemberWithTheWrongKeyIsShutOut) {
  make(5);
  startAndConverge();
  ASSERT_TRUE(c().setKeys(0, {std::vector<uint8_t>(32, 0x99)}).ok());
  EXPECT_TRUE(c().runUntil(
      [&] {
        for (std::size_t i : allBut({0})) {
          if (lives(i, 0)) return false;
        }
        return c().node(0).isolated();
      },
      seconds(2)));
  EXPECT_GT(rejected(1, RejectReason::kUnknownKey), 0u);
  EXPECT_FALSE(lives(0, 0));
}

}  // namespace
}  // namespace ironlb::membership::testing
