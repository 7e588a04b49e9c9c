#include "speaker/membership/piggyback.h"

#include <gtest/gtest.h>

#include <array>

namespace ironlb::membership {
namespace {

TEST(PiggybackTest, SendsEachUpdateItsBudgetThenDropsIt) {
  Piggyback p;
  p.push(Update{1, 10, MemberStatus::kDead}, 3);
  std::array<Update, 8> out{};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(p.take(out), 1u) << i;
    EXPECT_EQ(out[0].id, 1u);
    EXPECT_EQ(out[0].status, MemberStatus::kDead);
  }
  EXPECT_EQ(p.take(out), 0u);
  EXPECT_EQ(p.size(), 0u);
}

TEST(PiggybackTest, NewerUpdateReplacesOlderAndRestoresBudget) {
  Piggyback p;
  p.push(Update{1, 10, MemberStatus::kDead}, 2);
  std::array<Update, 8> out{};
  p.take(out);
  p.push(Update{1, 11, MemberStatus::kAlive}, 2);
  EXPECT_EQ(p.size(), 1u);
  ASSERT_EQ(p.take(out), 1u);
  EXPECT_EQ(out[0].incarnation, 11u);
  EXPECT_EQ(out[0].status, MemberStatus::kAlive);
  ASSERT_EQ(p.take(out), 1u);
  EXPECT_EQ(p.take(out), 0u);
}

TEST(PiggybackTest, FreshestNewsFirstAndAtMostTheRoomGiven) {
  Piggyback p;
  p.push(Update{1, 1, MemberStatus::kAlive}, 1);
  p.push(Update{2, 1, MemberStatus::kAlive}, 5);
  p.push(Update{3, 1, MemberStatus::kAlive}, 3);
  std::array<Update, 2> out{};
  ASSERT_EQ(p.take(out), 2u);
  EXPECT_EQ(out[0].id, 2u);
  EXPECT_EQ(out[1].id, 3u);
}

TEST(PiggybackTest, FullQueueEvictsTheMostSentEntry) {
  Piggyback p(2);
  p.push(Update{1, 1, MemberStatus::kAlive}, 5);
  p.push(Update{2, 1, MemberStatus::kAlive}, 1);
  p.push(Update{3, 1, MemberStatus::kAlive}, 4);
  EXPECT_EQ(p.size(), 2u);
  std::array<Update, 8> out{};
  ASSERT_EQ(p.take(out), 2u);
  EXPECT_EQ(out[0].id, 1u);
  EXPECT_EQ(out[1].id, 3u);
}

TEST(PiggybackTest, RemoveForgetsAMember) {
  Piggyback p;
  p.push(Update{1, 1, MemberStatus::kAlive}, 5);
  p.push(Update{2, 1, MemberStatus::kAlive}, 5);
  p.remove(1);
  std::array<Update, 8> out{};
  ASSERT_EQ(p.take(out), 1u);
  EXPECT_EQ(out[0].id, 2u);
}

}  // namespace
}  // namespace ironlb::membership
