#include "common/util/clock.h"

#include <gtest/gtest.h>

namespace ironlb::util {
namespace {

using namespace std::chrono_literals;

TEST(ManualClockTest, AdvanceMovesBothReadingsByTheSameAmount) {
  ManualClock clock;
  const MonoTime m0 = clock.now();
  const WallTime w0 = clock.wallNow();
  clock.advance(1500ms);
  EXPECT_EQ(clock.now() - m0, 1500ms);
  EXPECT_EQ(clock.wallNow() - w0, 1500ms);
}

TEST(ManualClockTest, StandsStillWithoutAdvance) {
  ManualClock clock;
  EXPECT_EQ(clock.now(), clock.now());
  EXPECT_EQ(clock.wallNow(), clock.wallNow());
}

TEST(ManualClockTest, SetWallLeavesMonotonicTimeAlone) {
  ManualClock clock;
  const MonoTime m0 = clock.now();
  const WallTime target = clock.wallNow() - std::chrono::hours(5);
  clock.setWall(target);
  EXPECT_EQ(clock.wallNow(), target);
  EXPECT_EQ(clock.now(), m0);
}

TEST(ManualClockTest, StartsAtANonZeroPoint) {
  ManualClock clock;
  EXPECT_NE(clock.now(), MonoTime{});
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(clock.wallNow().time_since_epoch()),
            std::chrono::seconds(1704067200));
}

TEST(SystemClockTest, MonotonicReadingNeverGoesBack) {
  SystemClock& clock = SystemClock::instance();
  MonoTime prev = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const MonoTime t = clock.now();
    EXPECT_GE(t, prev);
    prev = t;
  }
}

}  // namespace
}  // namespace ironlb::util
