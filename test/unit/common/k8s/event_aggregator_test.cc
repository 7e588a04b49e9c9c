#include "common/k8s/event_aggregator.h"

#include <gtest/gtest.h>

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using Kind = EventAggregator::Decision::Kind;
using Limit = EventAggregator::Decision::Limit;

class EventAggregatorTest : public ::testing::Test {
 protected:
  EventRecord rec(const std::string& reason, const std::string& msg = "m",
                  const std::string& name = "web") {
    return EventRecord{ObjectReference{"v1", "Service", "a", name, "uid-" + name, "1"},
                       EventType::kNormal,
                       reason,
                       msg,
                       clock_.now(),
                       clock_.wallNow()};
  }
  util::ManualClock clock_;
};

TEST_F(EventAggregatorTest, RepeatsWithinTheWindowBumpTheCount) {
  EventAggregator agg(
      {.window = 10min, .objectBurst = 100, .objectRefillEvery = 1s, .maxEntries = 10});
  const util::WallTime first = clock_.wallNow();
  auto d = agg.decide(rec("IPAllocated"));
  EXPECT_EQ(d.kind, Kind::kCreate);
  agg.created(rec("IPAllocated"), "web.1");
  clock_.advance(1min);
  d = agg.decide(rec("IPAllocated"));
  EXPECT_EQ(d.kind, Kind::kPatch);
  EXPECT_EQ(d.eventName, "web.1");
  EXPECT_EQ(d.count, 2);
  EXPECT_EQ(d.firstTimestamp, first);
  clock_.advance(9min);
  d = agg.decide(rec("IPAllocated"));
  EXPECT_EQ(d.kind, Kind::kPatch);
  EXPECT_EQ(d.count, 3);
}

TEST_F(EventAggregatorTest, AfterTheWindowANewEventStarts) {
  EventAggregator agg(
      {.window = 10min, .objectBurst = 100, .objectRefillEvery = 1s, .maxEntries = 10});
  agg.decide(rec("R"));
  agg.created(rec("R"), "web.1");
  clock_.advance(10min + 1s);
  EXPECT_EQ(agg.decide(rec("R")).kind, Kind::kCreate);
}

TEST_F(EventAggregatorTest, DifferentObjectReasonOrMessageAreDifferentEvents) {
  EventAggregator agg(
      {.window = 10min, .objectBurst = 100, .objectRefillEvery = 1s, .maxEntries = 10});
  agg.decide(rec("R", "m"));
  agg.created(rec("R", "m"), "web.1");
  EXPECT_EQ(agg.decide(rec("R", "other message")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("Other", "m")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("R", "m", "db")).kind, Kind::kCreate);
  auto warning = rec("R", "m");
  warning.type = EventType::kWarning;
  EXPECT_EQ(agg.decide(warning).kind, Kind::kCreate);
}

TEST_F(EventAggregatorTest, PerObjectTokenBucketLimitsWritesAndRefills) {
  EventAggregator agg(
      {.window = 10min, .objectBurst = 3, .objectRefillEvery = 1s, .maxEntries = 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(agg.decide(rec("R" + std::to_string(i))).kind, Kind::kCreate) << i;
  }
  const auto refused = agg.decide(rec("R3"));
  EXPECT_EQ(refused.kind, Kind::kDropNew);
  EXPECT_EQ(refused.limit, Limit::kObject);
  clock_.advance(1s);
  EXPECT_EQ(agg.decide(rec("R4")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("R5")).kind, Kind::kDropNew);
  clock_.advance(1h);  // refill saturates at the burst
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(agg.decide(rec("S" + std::to_string(i))).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("S3")).kind, Kind::kDropNew);
}

TEST_F(EventAggregatorTest, RateLimitedRepeatsAreCountedAndCarriedByTheNextPatch) {
  EventAggregator agg(
      {.window = 10min, .objectBurst = 1, .objectRefillEvery = 10s, .maxEntries = 10});
  EXPECT_EQ(agg.decide(rec("R")).kind, Kind::kCreate);
  agg.created(rec("R"), "web.1");
  EXPECT_EQ(agg.decide(rec("R")).kind, Kind::kDeferRepeat);
  EXPECT_EQ(agg.decide(rec("R")).kind, Kind::kDeferRepeat);
  clock_.advance(10s);
  const auto d = agg.decide(rec("R"));
  EXPECT_EQ(d.kind, Kind::kPatch);
  EXPECT_EQ(d.count, 4);
}

TEST_F(EventAggregatorTest, ForgetMakesTheNextOccurrenceCreate) {
  EventAggregator agg;
  agg.decide(rec("R"));
  agg.created(rec("R"), "web.1");
  agg.forget(rec("R"));
  EXPECT_EQ(agg.decide(rec("R")).kind, Kind::kCreate);
}

TEST_F(EventAggregatorTest, EvictsTheLeastRecentlySeen) {
  EventAggregator agg(
      {.window = 10min, .objectBurst = 100, .objectRefillEvery = 1s, .maxEntries = 2});
  for (const char* r : {"A", "B"}) {
    agg.decide(rec(r));
    agg.created(rec(r), r);
    clock_.advance(1s);
  }
  agg.decide(rec("A"));  // A is now more recent than B
  clock_.advance(1s);
  agg.decide(rec("C"));
  EXPECT_EQ(agg.size(), 2u);
  EXPECT_EQ(agg.decide(rec("A")).kind, Kind::kPatch);
  EXPECT_EQ(agg.decide(rec("B")).kind, Kind::kCreate) << "B was evicted";
}

TEST_F(EventAggregatorTest, OneObjectsLimitLeavesOtherObjectsAlone) {
  EventAggregator agg({.objectBurst = 2, .objectRefillEvery = 5min});
  EXPECT_EQ(agg.decide(rec("A", "m", "hot")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("B", "m", "hot")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("C", "m", "hot")).kind, Kind::kDropNew);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(agg.decide(rec("A", "m", "svc-" + std::to_string(i))).kind, Kind::kCreate) << i;
  }
}

// The defaults: every one of 10,000 Services created at the same instant gets its Event (a
// single global bucket of 25 let 25 through).
TEST_F(EventAggregatorTest, ABurstOfTenThousandObjectsAllCreate) {
  EventAggregator agg;
  int created = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto r = rec("IPAllocated", "Assigned IP", "svc-" + std::to_string(i));
    if (agg.decide(r).kind == Kind::kCreate) {
      ++created;
      agg.created(r, "svc-" + std::to_string(i) + ".1");
    }
  }
  EXPECT_EQ(created, 10000);
  EXPECT_LE(agg.size(), 4096u) << "memory stays bounded";
  EXPECT_LE(agg.objects(), 4096u);
}

TEST_F(EventAggregatorTest, GlobalCeilingStopsAFloodAcrossObjects) {
  EventAggregator agg(
      {.objectBurst = 25, .objectRefillEvery = 5min, .globalBurst = 3, .globalRefillEvery = 1s});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(agg.decide(rec("R", "m", "svc-" + std::to_string(i))).kind, Kind::kCreate) << i;
  const auto refused = agg.decide(rec("R", "m", "svc-3"));
  EXPECT_EQ(refused.kind, Kind::kDropNew);
  EXPECT_EQ(refused.limit, Limit::kGlobal);
  clock_.advance(1s);
  EXPECT_EQ(agg.decide(rec("R", "m", "svc-4")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("R", "m", "svc-5")).kind, Kind::kDropNew);
}

TEST_F(EventAggregatorTest, AGlobalRefusalCostsTheObjectNothing) {
  EventAggregator agg(
      {.objectBurst = 1, .objectRefillEvery = 1h, .globalBurst = 1, .globalRefillEvery = 1s});
  EXPECT_EQ(agg.decide(rec("R", "m", "a")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("R", "m", "b")).limit, Limit::kGlobal);
  clock_.advance(1s);
  EXPECT_EQ(agg.decide(rec("R", "m", "b")).kind, Kind::kCreate) << "b's own token was kept";
}

TEST_F(EventAggregatorTest, ForgottenObjectsAndEventsBoundMemory) {
  EventAggregator agg({.maxEntries = 100, .maxObjects = 50});
  for (int i = 0; i < 100000; ++i) {
    const auto r = rec("R", "m", "svc-" + std::to_string(i));
    agg.decide(r);
    agg.created(r, "e");
  }
  EXPECT_EQ(agg.size(), 100u);
  EXPECT_EQ(agg.objects(), 50u);
}

}  // namespace
}  // namespace ironlb::k8s
