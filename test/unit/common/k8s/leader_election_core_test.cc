#include "common/k8s/leader_election_core.h"

#include <gtest/gtest.h>

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using Step = LeaderElectionCore::Step;

constexpr LeaderElectionTiming kTiming{15s, 10s, 2s};

LeaseRecord heldBy(const std::string& holder, int seconds = 15, int transitions = 0) {
  return LeaseRecord{holder, seconds, std::nullopt, std::nullopt, transitions};
}

class LeaderElectionCoreTest : public ::testing::Test {
 protected:
  util::ManualClock clock_;
  LeaderElectionCore core_{"me", kTiming};
};

TEST_F(LeaderElectionCoreTest, CreatesAMissingLease) {
  const auto p = core_.plan(std::nullopt, "", clock_.now(), clock_.wallNow());
  ASSERT_EQ(p.step, Step::kCreate);
  EXPECT_EQ(p.desired.holderIdentity, "me");
  EXPECT_EQ(p.desired.leaseDurationSeconds, 15);
  EXPECT_EQ(p.desired.acquireTime, clock_.wallNow());
  EXPECT_EQ(p.desired.renewTime, clock_.wallNow());
  EXPECT_EQ(p.desired.leaseTransitions, 0);
  EXPECT_EQ(core_.onWriteSucceeded(p.desired, "1", clock_.now()),
            LeaderTransition::kStartedLeading);
  EXPECT_TRUE(core_.isLeader());
}

TEST_F(LeaderElectionCoreTest, WaitsForAnotherHoldersLeaseToExpireOnItsOwnClock) {
  EXPECT_EQ(core_.plan(heldBy("other", 15, 3), "5", clock_.now(), clock_.wallNow()).step,
            Step::kWait);
  clock_.advance(14s);
  EXPECT_EQ(core_.plan(heldBy("other", 15, 3), "5", clock_.now(), clock_.wallNow()).step,
            Step::kWait);
  clock_.advance(1s);
  const auto p = core_.plan(heldBy("other", 15, 3), "5", clock_.now(), clock_.wallNow());
  ASSERT_EQ(p.step, Step::kUpdate);
  EXPECT_EQ(p.desired.holderIdentity, "me");
  EXPECT_EQ(p.desired.leaseTransitions, 4);
  EXPECT_EQ(p.desired.acquireTime, clock_.wallNow());
}

TEST_F(LeaderElectionCoreTest, ARenewedLeaseNeverExpires) {
  for (int i = 0; i < 20; ++i) {
    // The holder renews every 2s: resourceVersion changes each time.
    EXPECT_EQ(core_.plan(heldBy("other"), std::to_string(i), clock_.now(), clock_.wallNow()).step,
              Step::kWait);
    clock_.advance(2s);
  }
}

TEST_F(LeaderElectionCoreTest, ExpiryUsesTheRecordsDuration) {
  core_.plan(heldBy("other", 30), "5", clock_.now(), clock_.wallNow());
  clock_.advance(20s);
  EXPECT_EQ(core_.plan(heldBy("other", 30), "5", clock_.now(), clock_.wallNow()).step, Step::kWait);
  clock_.advance(10s);
  EXPECT_EQ(core_.plan(heldBy("other", 30), "5", clock_.now(), clock_.wallNow()).step,
            Step::kUpdate);
}

TEST_F(LeaderElectionCoreTest, AReleasedLeaseIsTakenAtOnce) {
  const auto p = core_.plan(heldBy("", 1, 2), "9", clock_.now(), clock_.wallNow());
  ASSERT_EQ(p.step, Step::kUpdate);
  EXPECT_EQ(p.desired.leaseTransitions, 3);
}

TEST_F(LeaderElectionCoreTest, RenewalKeepsAcquireTimeAndTransitions) {
  const util::WallTime acquired = clock_.wallNow();
  LeaseRecord mine{"me", 15, acquired, acquired, 7};
  core_.onWriteSucceeded(mine, "1", clock_.now());
  clock_.advance(2s);
  const auto p = core_.plan(mine, "1", clock_.now(), clock_.wallNow());
  ASSERT_EQ(p.step, Step::kUpdate);
  EXPECT_EQ(p.desired.acquireTime, acquired);
  EXPECT_EQ(p.desired.renewTime, clock_.wallNow());
  EXPECT_EQ(p.desired.leaseTransitions, 7);
  EXPECT_EQ(core_.onWriteSucceeded(p.desired, "2", clock_.now()), LeaderTransition::kNone);
}

TEST_F(LeaderElectionCoreTest, LeaderStepsDownWhenRenewalsFailForRenewDeadline) {
  core_.onWriteSucceeded(heldBy("me"), "1", clock_.now());
  clock_.advance(9s);
  EXPECT_EQ(core_.onAttemptFailed(clock_.now()), LeaderTransition::kNone);
  EXPECT_TRUE(core_.isLeader());
  clock_.advance(1s);
  EXPECT_EQ(core_.onAttemptFailed(clock_.now()), LeaderTransition::kStoppedLeading);
  EXPECT_FALSE(core_.isLeader());
  EXPECT_EQ(core_.onAttemptFailed(clock_.now()), LeaderTransition::kNone);
}

TEST_F(LeaderElectionCoreTest, LeaderThatSeesAnotherHolderStepsDown) {
  core_.onWriteSucceeded(heldBy("me"), "1", clock_.now());
  const auto p = core_.plan(heldBy("usurper"), "2", clock_.now(), clock_.wallNow());
  EXPECT_EQ(p.transition, LeaderTransition::kStoppedLeading);
  EXPECT_EQ(p.step, Step::kWait);
  EXPECT_FALSE(core_.isLeader());
}

TEST_F(LeaderElectionCoreTest, ReleaseOnlyWhenLeading) {
  EXPECT_FALSE(core_.releaseRecord(clock_.wallNow()));
  EXPECT_EQ(core_.onReleased(), LeaderTransition::kNone);
  core_.onWriteSucceeded(heldBy("me", 15, 4), "1", clock_.now());
  const auto r = core_.releaseRecord(clock_.wallNow());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->holderIdentity, "");
  EXPECT_EQ(r->leaseDurationSeconds, 1);
  EXPECT_EQ(r->leaseTransitions, 4);
  EXPECT_EQ(core_.onReleased(), LeaderTransition::kStoppedLeading);
}

TEST(LeaderElectionTimingTest, Validation) {
  EXPECT_TRUE(validateTiming(kTiming).ok());
  EXPECT_FALSE(validateTiming({15s, 15s, 2s}).ok());
  EXPECT_FALSE(validateTiming({15s, 10s, 10s}).ok());
  EXPECT_FALSE(validateTiming({15s, 10s, 0s}).ok());
  EXPECT_FALSE(validateTiming({std::chrono::milliseconds(15500), 10s, 2s}).ok());
}

TEST(LeaseJsonTest, MicroTimeRoundTrips) {
  const util::WallTime t =
      std::chrono::system_clock::from_time_t(1704067200) + std::chrono::microseconds(123456);
  EXPECT_EQ(formatMicroTime(t), "2024-01-01T00:00:00.123456Z");
  EXPECT_EQ(parseMicroTime("2024-01-01T00:00:00.123456Z"), t);
  EXPECT_EQ(parseMicroTime("2024-01-01T00:00:00Z"),
            std::chrono::system_clock::from_time_t(1704067200));
  EXPECT_EQ(parseMicroTime("2024-01-01T00:00:00.1Z"),
            std::chrono::system_clock::from_time_t(1704067200) + std::chrono::milliseconds(100));
  EXPECT_FALSE(parseMicroTime("yesterday"));
  EXPECT_FALSE(parseMicroTime("2024-01-01T00:00:00+02:00"));
}

TEST(LeaseJsonTest, SpecMappingKeepsOtherFields) {
  nlohmann::json lease = {{"metadata", {{"name", "l"}, {"labels", {{"a", "b"}}}}}};
  const util::WallTime t = std::chrono::system_clock::from_time_t(1704067200);
  applyLeaseRecord(lease, LeaseRecord{"me", 15, t, t, 2});
  EXPECT_EQ(lease["metadata"]["labels"]["a"], "b");
  EXPECT_EQ(lease["spec"]["holderIdentity"], "me");
  EXPECT_EQ(lease["spec"]["renewTime"], "2024-01-01T00:00:00.000000Z");
  const LeaseRecord back = leaseRecordFromJson(lease);
  EXPECT_EQ(back, (LeaseRecord{"me", 15, t, t, 2}));
}

TEST(LeaseJsonTest, GarbageReadsAsEmpty) {
  for (const char* text :
       {"null", "[]", "{\"spec\":5}", "{\"spec\":{\"holderIdentity\":7,\"renewTime\":\"x\"}}"}) {
    EXPECT_EQ(leaseRecordFromJson(nlohmann::json::parse(text)), LeaseRecord{}) << text;
  }
}

}  // namespace
}  // namespace ironlb::k8s
