// Issue 12, item 3 and the membership hardening items: what one key holder can no longer do.
// The attacker here is node 1 (a compromised speaker: it holds the key and sends from its own
// address) or a spoofer of a dead member's address. docs/membership.md explains the rules.

#include <gtest/gtest.h>

#include <map>

#include "speaker/membership/message.h"
#include "test/unit/speaker/membership/cluster_fixture.h"

namespace ironlb::membership::testing {
namespace {

// The sequence of a packet a node sent (sealed or not), opened with the test key.
uint64_t sequenceOf(std::span<const uint8_t> b) {
  const std::vector<std::vector<uint8_t>> keys = {sim::SimCluster::testKey()};
  Message m;
  return decode(b, *KeyRing::create(keys), m) == DecodeResult::kOk ? m.sequence : 0;
}

class ForgeryTest : public ClusterTest {
 protected:
  // Tracks the last sequence each node used towards each other, so forged packets can be
  // fresh without pushing the real sender's packets out of the replay window.
  void track() {
    c().onSend = [this](std::size_t from, std::size_t to, std::span<const uint8_t> b) {
      seq_[{from, to}] = std::max(seq_[{from, to}], sequenceOf(b));
    };
  }
  std::vector<uint8_t> sign(const Message& m) {
    auto k = HmacKey::create(sim::SimCluster::testKey());
    EXPECT_TRUE(k.ok());
    std::vector<uint8_t> out(messageSize(m.type, m.updateCount));
    encode(m, *k, out);
    return out;
  }
  // A message "from" `as` (its id and incarnation) to `to`, fresh in `to`'s replay window.
  Message from(std::size_t as, std::size_t to, MessageType type = MessageType::kNotice) {
    Message m;
    m.type = type;
    m.sender = memberIdOf(name(as));
    m.senderIncarnation = info(to, as).incarnation;
    m.senderStatus = MemberStatus::kAlive;
    m.sequence = (seq_[{as, to}] += 1);
    m.destination = memberIdOf(name(to));
    m.destinationIncarnation = c().node(to).incarnation();
    m.destinationStatus = MemberStatus::kAlive;
    return m;
  }
  static void claim(Message& m, std::size_t member, uint64_t incarnation, MemberStatus s) {
    m.updates[m.updateCount++] = Update{memberIdOf(name(member)), incarnation, s};
  }
  uint64_t wallMs() const {
    // The sim's incarnations model wall-clock ms: 1,000,000 + sim milliseconds.
    return 1'000'000 +
           static_cast<uint64_t>(
               std::chrono::duration_cast<milliseconds>(c().now().time_since_epoch()).count());
  }
  const sim::SimCluster& c() const { return *cluster_; }
  using ClusterTest::c;
  uint64_t margin() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<milliseconds>(Timers{}.incarnationMargin).count());
  }

  std::map<std::pair<std::size_t, std::size_t>, uint64_t> seq_;
};

TEST_F(ForgeryTest, ForgedIncarnationIsRefuted) {
  // Before: a notice "node 0 is dead at incarnation 2^62" from any key holder dropped node 0
  // for good (its refutation saturated at 2^62 and the higher status won), even across
  // restarts. Now a claim beyond the clock + margin is ignored, and one within it is refuted.
  make(4);
  track();
  startAndConverge();
  const uint64_t before = c().node(0).incarnation();
  for (std::size_t to : {2u, 3u}) {
    Message m = from(1, to);
    claim(m, 0, kMaxIncarnation, MemberStatus::kDead);
    c().inject(to, sign(m));
  }
  c().runFor(milliseconds(300));
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
  EXPECT_EQ(c().node(2).counters().futureClaims, 1u);
  EXPECT_EQ(c().node(3).counters().futureClaims, 1u);
  EXPECT_EQ(c().node(0).incarnation(), before);
  EXPECT_EQ(deathsOf(0), 0);

  // The furthest a claim may reach: our clock + margin. It is accepted (a death is
  // legitimate gossip) and node 0 refutes it with a higher incarnation that everybody takes.
  const util::MonoTime t0 = c().now();
  const uint64_t furthest = wallMs() + margin();
  for (std::size_t to : {2u, 3u}) {
    Message m = from(1, to);
    claim(m, 0, furthest, MemberStatus::kDead);
    c().inject(to, sign(m));
  }
  c().runFor(milliseconds(1));
  EXPECT_FALSE(lives(2, 0)) << "the claim was accepted";
  ASSERT_TRUE(agreeOn(all(), seconds(1))) << "node 0 refuted";
  EXPECT_GT(c().node(0).incarnation(), furthest);
  EXPECT_GE(c().node(0).counters().refutations, 1u);
  std::printf("refuted %.0f ms after the forged claim\n",
              std::chrono::duration<double, std::milli>(c().now() - t0).count());

  // Again, and node 0 restarts meanwhile (a new process starts at wall-clock ms, far below
  // the claim): it learns of the claim and refutes it too.
  for (std::size_t to : {2u, 3u}) {
    Message m = from(1, to);
    claim(m, 0, wallMs() + margin(), MemberStatus::kDead);
    c().inject(to, sign(m));
  }
  c().runFor(milliseconds(1));
  c().restart(0);
  EXPECT_TRUE(agreeOn(all(), seconds(2)));
}

TEST_F(ForgeryTest, LeftOnlyFromSelf) {
  // "Node 0 left" from node 1 cannot be refuted like a death could (left outranks dead at one
  // incarnation) and needs no evidence. From anyone but node 0 it now counts as a death:
  // refutable, and node 0 refutes at once.
  make(4);
  track();
  startAndConverge();
  for (std::size_t to : {2u, 3u}) {
    Message m = from(1, to);
    claim(m, 0, c().node(0).incarnation() + 1, MemberStatus::kLeft);
    c().inject(to, sign(m));
  }
  c().runFor(milliseconds(1));
  EXPECT_EQ(c().node(2).counters().foreignLeaves, 1u);
  EXPECT_EQ(info(2, 0).status, MemberStatus::kDead) << "taken as a death";
  EXPECT_EQ(c().node(2).counters().leavesLearned, 0u);
  ASSERT_TRUE(agreeOn(all(), seconds(1))) << "node 0 refuted";
  // Node 0's own goodbye is a leave, applied by every member at once.
  c().leave(0);
  c().runFor(milliseconds(5));
  for (std::size_t i : {1u, 2u, 3u})
    EXPECT_EQ(info(i, 0).status, MemberStatus::kLeft) << i;
  EXPECT_TRUE(agreeOn({1, 2, 3}, milliseconds(10)));
}

TEST_F(ForgeryTest, SenderBoundToAddress) {
  make(4);
  track();
  startAndConverge();
  // Node 1 holds the key but speaks as node 2 ("I left") from its own address.
  const uint64_t before = rejected(3, RejectReason::kWrongSource);
  Message m = from(2, 3);
  m.senderStatus = MemberStatus::kLeft;
  m.senderIncarnation += 1;
  c().inject(3, sign(m), Duration::zero(), c().endpointOf(1));
  c().runFor(milliseconds(1));
  EXPECT_EQ(rejected(3, RejectReason::kWrongSource), before + 1);
  EXPECT_TRUE(lives(3, 2));
  // From an address that is no member's: dropped before the HMAC (not even a bad_mac).
  const uint64_t badMac = rejected(3, RejectReason::kBadMac);
  auto forged = sign(from(2, 3));
  forged.back() ^= 1;
  const Endpoint stranger{*net::IpAddress::parse("2001:db8::ffff"), 7946};
  c().inject(3, forged, Duration::zero(), stranger);
  Endpoint wrongPort = c().endpointOf(2);
  wrongPort.port = 7947;
  c().inject(3, forged, Duration::zero(), wrongPort);
  c().runFor(milliseconds(1));
  EXPECT_EQ(rejected(3, RejectReason::kUnknownSource), 2u);
  EXPECT_EQ(rejected(3, RejectReason::kBadMac), badMac);
  c().runFor(milliseconds(500));
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
  EXPECT_EQ(anyDeaths(), 0);
}

TEST_F(ForgeryTest, UnmatchedAckIgnored) {
  // Two members: node 1 dies; somebody spoofing its address with the key sends node 0 acks
  // every 10 ms. They answer no ping of node 0's, so node 1 is declared dead on time anyway.
  make(2);
  track();
  startAndConverge();
  for (std::size_t i : {0u, 1u})
    EXPECT_EQ(c().node(i).counters().unmatchedAcks, 0u) << "real acks all match";
  const uint64_t inc = info(0, 1).incarnation;
  c().kill(1);
  const util::MonoTime t0 = c().now();
  int sent = 0;
  while (lives(0, 1) && c().now() - t0 < seconds(2)) {
    Message m = from(1, 0, MessageType::kAck);
    m.senderIncarnation = inc;
    m.ackedSequence = 1'000'000 + static_cast<uint64_t>(sent);
    c().inject(0, sign(m));
    ++sent;
    c().runFor(milliseconds(10));
  }
  EXPECT_FALSE(lives(0, 1));
  EXPECT_LT(c().now() - t0, milliseconds(400));
  EXPECT_GT(c().node(0).counters().unmatchedAcks, 10u);
  EXPECT_EQ(c().node(0).counters().unmatchedAcks, static_cast<uint64_t>(sent));
}

TEST_F(ForgeryTest, IncarnationsBeyondTheClockAreRejected) {
  // A member's own incarnation may run ahead of our clock by up to two margins (a refutation
  // of a claim at one margin); beyond that its packets are rejected and counted.
  make(3);
  track();
  startAndConverge();
  Message m = from(1, 0);
  m.senderIncarnation = wallMs() + 2 * margin() + 1000;
  c().inject(0, sign(m));
  c().runFor(milliseconds(1));
  EXPECT_EQ(rejected(0, RejectReason::kFutureIncarnation), 1u);
  EXPECT_LT(info(0, 1).incarnation, wallMs() + margin());
}

}  // namespace
}  // namespace ironlb::membership::testing
