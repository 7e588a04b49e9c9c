// Sealed membership (wire version 2, docs/membership.md): authenticated encryption hides node
// ids and incarnations (start times); mixed clusters (a rolling upgrade) still form one
// membership; once every speaker seals, unsealed packets can be refused.

#include <gtest/gtest.h>

#include <algorithm>

#include "speaker/membership/message.h"
#include "test/unit/speaker/membership/cluster_fixture.h"

namespace ironlb::membership::testing {
namespace {

struct Captured {
  std::size_t from;
  std::size_t to;
  std::vector<uint8_t> bytes;
};

class SealingTest : public ClusterTest {
 protected:
  void capture() {
    c().onSend = [this](std::size_t from, std::size_t to, std::span<const uint8_t> b) {
      sent_.push_back({from, to, {b.begin(), b.end()}});
    };
  }
  // Whether `needle` occurs in `hay`, as 8 big-endian bytes.
  static bool contains(const std::vector<uint8_t>& hay, uint64_t needle) {
    uint8_t n[8];
    for (int i = 0; i < 8; ++i)
      n[i] = static_cast<uint8_t>(needle >> (56 - 8 * i));
    return std::search(hay.begin(), hay.end(), n, n + 8) != hay.end();
  }
  std::vector<Captured> sent_;
};

TEST_F(SealingTest, SealedPacketsHideNamesAndStartTimes) {
  make(3);
  capture();
  c().startAll();
  ASSERT_TRUE(agreeOn(all(), seconds(2)));
  const std::size_t startup = sent_.size();
  std::size_t startupSealed = 0;
  for (const auto& p : sent_)
    startupSealed += p.bytes[4] == kWireV2;
  sent_.clear();
  c().runFor(seconds(2));
  ASSERT_GT(sent_.size(), 300u);
  for (const auto& p : sent_) {
    ASSERT_EQ(p.bytes[4], kWireV2) << "unsealed from " << p.from << " to " << p.to;
    for (std::size_t i = 0; i < c().size(); ++i) {
      EXPECT_FALSE(contains(p.bytes, memberIdOf(name(i)))) << "node id " << i << " visible";
      EXPECT_FALSE(contains(p.bytes, c().node(i).incarnation())) << "incarnation " << i;
    }
  }
  // The unsealed ones: the first probes of a start-up, before a peer's kMacs showed that it
  // reads sealed packets.
  std::printf("start-up: %zu of %zu packets sealed; steady state: all %zu sealed\n", startupSealed,
              startup, sent_.size());
  // The clear version-1 layout would show both.
  Message m;
  m.sender = memberIdOf(name(0));
  m.senderIncarnation = c().node(0).incarnation();
  auto key = HmacKey::create(sim::SimCluster::testKey());
  ASSERT_TRUE(key.ok());
  std::vector<uint8_t> clear(messageSize(m.type, 0));
  encode(m, *key, clear);
  EXPECT_TRUE(contains(clear, m.sender));
  EXPECT_TRUE(contains(clear, m.senderIncarnation));
}

TEST_F(SealingTest, MixedVersionsFormOneMembership) {
  // A rolling upgrade: node 2 still runs a version from before sealing and macs. Everybody
  // counts everybody live, nobody dies; the new ones seal between themselves only.
  make(3);
  c().setWire(2, 1);
  capture();
  c().startAll();
  ASSERT_TRUE(agreeOn(all(), seconds(2)));
  sent_.clear();
  c().runFor(seconds(3));
  std::size_t sealedNew = 0, newPackets = 0;
  for (const auto& p : sent_) {
    if (p.from == 2 || p.to == 2) {
      // Only kMacs (always sealed) reach the old node sealed; it counts them malformed.
      if (p.bytes[4] == kWireV2) {
        EXPECT_NE(p.from, 2u);
        EXPECT_EQ(sim::SimCluster::typeOf(p.bytes), static_cast<uint8_t>(MessageType::kMacs));
      }
    } else {
      ++newPackets;
      sealedNew += p.bytes[4] == kWireV2;
    }
  }
  EXPECT_EQ(sealedNew, newPackets);
  EXPECT_TRUE(c().allAgree(c().namesOf(all())));
  EXPECT_EQ(anyDeaths(), 0);
  EXPECT_GT(rejected(2, RejectReason::kMalformed), 0u);
  EXPECT_EQ(rejected(0, RejectReason::kMalformed), 0u);
  // The old node is upgraded (restarts sealing): from then on everything is sealed.
  c().setWire(2, 2);
  c().restart(2);
  ASSERT_TRUE(agreeOn(all(), seconds(2)));
  c().runFor(seconds(1));
  sent_.clear();
  c().runFor(seconds(1));
  for (const auto& p : sent_)
    EXPECT_EQ(p.bytes[4], kWireV2) << p.from << " -> " << p.to;
}

TEST_F(SealingTest, RequireSealedRefusesUnsealedPackets) {
  make(3);
  for (std::size_t i = 0; i < 3; ++i)
    c().setWire(i, 2, /*requireSealed=*/true);
  capture();
  c().startAll();
  ASSERT_TRUE(agreeOn(all(), seconds(2)));
  for (const auto& p : sent_)
    ASSERT_EQ(p.bytes[4], kWireV2) << "from the first packet on";
  // A correctly signed version-1 packet from a member is refused.
  Message m;
  m.type = MessageType::kNotice;
  m.sender = memberIdOf(name(1));
  m.senderIncarnation = info(0, 1).incarnation;
  m.sequence = 1;
  m.destination = memberIdOf(name(0));
  auto key = HmacKey::create(sim::SimCluster::testKey());
  ASSERT_TRUE(key.ok());
  std::vector<uint8_t> clear(messageSize(m.type, 0));
  encode(m, *key, clear);
  c().inject(0, clear);
  c().runFor(milliseconds(1));
  EXPECT_EQ(rejected(0, RejectReason::kUnsealed), 1u);
}

}  // namespace
}  // namespace ironlb::membership::testing
