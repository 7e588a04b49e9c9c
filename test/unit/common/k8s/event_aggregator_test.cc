#include "common/k8s/event_aggregator.h"

#include <gtest/gtest.h>

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using Kind = EventAggregator::Decision::Kind;

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
  EventAggregator agg({.window = 10min, .burst = 100, .refillEvery = 1s, .maxEntries = 10});
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
  EventAggregator agg({.window = 10min, .burst = 100, .refillEvery = 1s, .maxEntries = 10});
  agg.decide(rec("R"));
  agg.created(rec("R"), "web.1");
  clock_.advance(10min + 1s);
  EXPECT_EQ(agg.decide(rec("R")).kind, Kind::kCreate);
}

TEST_F(EventAggregatorTest, DifferentObjectReasonOrMessageAreDifferentEvents) {
  EventAggregator agg({.window = 10min, .burst = 100, .refillEvery = 1s, .maxEntries = 10});
  agg.decide(rec("R", "m"));
  agg.created(rec("R", "m"), "web.1");
  EXPECT_EQ(agg.decide(rec("R", "other message")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("Other", "m")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("R", "m", "db")).kind, Kind::kCreate);
  auto warning = rec("R", "m");
  warning.type = EventType::kWarning;
  EXPECT_EQ(agg.decide(warning).kind, Kind::kCreate);
}

TEST_F(EventAggregatorTest, TokenBucketLimitsWritesAndRefills) {
  EventAggregator agg({.window = 10min, .burst = 3, .refillEvery = 1s, .maxEntries = 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(agg.decide(rec("R" + std::to_string(i))).kind, Kind::kCreate) << i;
  }
  EXPECT_EQ(agg.decide(rec("R3")).kind, Kind::kDropNew);
  clock_.advance(1s);
  EXPECT_EQ(agg.decide(rec("R4")).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("R5")).kind, Kind::kDropNew);
  clock_.advance(1h);  // refill saturates at the burst
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(agg.decide(rec("S" + std::to_string(i))).kind, Kind::kCreate);
  EXPECT_EQ(agg.decide(rec("S3")).kind, Kind::kDropNew);
}

TEST_F(EventAggregatorTest, RateLimitedRepeatsAreCountedAndCarriedByTheNextPatch) {
  EventAggregator agg({.window = 10min, .burst = 1, .refillEvery = 10s, .maxEntries = 10});
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
  EventAggregator agg({.window = 10min, .burst = 100, .refillEvery = 1s, .maxEntries = 2});
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

}  // namespace
}  // namespace ironlb::k8s
