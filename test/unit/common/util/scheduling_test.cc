#include "common/util/scheduling.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

namespace ironlb::util {
namespace {

using namespace std::chrono_literals;

// Each test changes a thread of its own: the runner's main thread keeps its scheduling.
template <class F>
void onFreshThread(F f) {
  std::thread t(f);
  t.join();
}

TEST(SchedulingTest, ShortSliceKeepsTheThreadsNiceAndPolicy) {
  onFreshThread([] {
    const pid_t tid = gettid();
    ASSERT_EQ(setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 7), 0);  // raising: unprivileged
    auto granted = requestShortSlice(100us);
    ASSERT_TRUE(granted.ok()) << granted.error();
    EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(tid)), 7);
    EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
  });
}

TEST(SchedulingTest, ReportsTheSliceTheKernelGrantsClampedToItsMinimum) {
  onFreshThread([] {
    auto first = requestShortSlice(2ms);
    ASSERT_TRUE(first.ok()) << first.error();
    if (*first != 2ms) GTEST_SKIP() << "kernel without custom slices (before Linux 6.12)";
    auto belowMinimum = requestShortSlice(20us);
    ASSERT_TRUE(belowMinimum.ok()) << belowMinimum.error();
    EXPECT_EQ(*belowMinimum, kShortestSlice);  // the kernel's floor
  });
}

TEST(SchedulingTest, LeavesANonDefaultPolicyAloneAndSaysSo) {
  onFreshThread([] {
    sched_param param{};
    ASSERT_EQ(sched_setscheduler(0, SCHED_BATCH, &param), 0);  // unprivileged
    auto granted = requestShortSlice(100us);
    ASSERT_FALSE(granted.ok());
    EXPECT_NE(granted.error().find("not SCHED_OTHER"), std::string::npos) << granted.error();
    EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);
  });
}

}  // namespace
}  // namespace ironlb::util
