// BusySignal: waiters return when nothing is pending, after their limit, or when abandoned.
#include "common/k8s/busy_signal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;

TEST(BusySignalTest, IdleReturnsAtOnce) {
  BusySignal s;
  EXPECT_TRUE(s.waitIdle(1h, {}));
}

TEST(BusySignalTest, WaitEndsWhenTheWritesAreDone) {
  BusySignal s;
  s.set(3);
  std::atomic<bool> idle{false};
  std::thread waiter([&] { idle = s.waitIdle(1h, {}); });
  s.set(1);
  s.set(0);
  waiter.join();  // would hang for an hour if set(0) did not wake it
  EXPECT_TRUE(idle);
}

TEST(BusySignalTest, WaitIsBoundedSoEventsAreNeverStarved) {
  BusySignal s;
  s.set(1);
  EXPECT_FALSE(s.waitIdle(10ms, {}));
}

TEST(BusySignalTest, WakeAbandonsAWait) {
  BusySignal s;
  s.set(1);
  std::atomic<bool> stop{false};
  std::atomic<bool> idle{true};
  std::thread waiter([&] { idle = s.waitIdle(1h, [&] { return stop.load(); }); });
  stop = true;
  s.wake();
  waiter.join();
  EXPECT_FALSE(idle);
}

}  // namespace
}  // namespace ironlb::k8s
