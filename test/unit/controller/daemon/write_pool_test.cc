// WritePool: at most N blocking calls at once, FIFO preparation, skipping, stop.
#include "controller/daemon/write_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/k8s/testing/run_until.h"

namespace ironlb::controller {
namespace {

using k8s::testing::runUntil;
using namespace std::chrono_literals;

TEST(WritePoolTest, BoundsConcurrencyAndKeepsOrder) {
  boost::asio::io_context io;
  WritePool pool(io, 3, "t");
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<bool> release{false};
  std::vector<int> prepared;
  std::vector<int> completed;
  for (int i = 0; i < 10; ++i) {
    pool.enqueue([&, i]() -> WritePool::Blocking {
      prepared.push_back(i);
      return [&, i]() -> WritePool::Completion {
        const int now = ++running;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        while (!release)
          std::this_thread::sleep_for(1ms);
        --running;
        return [&, i] { completed.push_back(i); };
      };
    });
  }
  EXPECT_EQ(pool.busy(), 3u);
  EXPECT_EQ(pool.waiting(), 7u);
  EXPECT_EQ(prepared, (std::vector<int>{0, 1, 2})) << "prepared only when a worker is free";
  ASSERT_TRUE(runUntil(
      io, [&] { return running == 3; }, 5s));
  release = true;
  ASSERT_TRUE(runUntil(
      io, [&] { return completed.size() == 10; }, 10s));
  EXPECT_EQ(peak.load(), 3);
  EXPECT_EQ(prepared, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(pool.idle());
}

TEST(WritePoolTest, SkippedJobsTakeNoWorker) {
  boost::asio::io_context io;
  WritePool pool(io, 1, "t");
  int ran = 0;
  pool.enqueue([]() -> WritePool::Blocking { return {}; });
  pool.enqueue([&]() -> WritePool::Blocking {
    return [&]() -> WritePool::Completion { return [&] { ++ran; }; };
  });
  ASSERT_TRUE(runUntil(
      io, [&] { return ran == 1; }, 5s));
  EXPECT_TRUE(pool.idle());
}

TEST(WritePoolTest, StopDropsWaitingAndSilencesCompletions) {
  boost::asio::io_context io;
  WritePool pool(io, 1, "t");
  std::atomic<bool> started{false};
  bool completed = false;
  bool second_prepared = false;
  pool.enqueue([&]() -> WritePool::Blocking {
    return [&]() -> WritePool::Completion {
      started = true;
      // Stands in for a blocking call that stop() cancels through the worker's token.
      while (!WritePool::currentToken()->cancelled())
        std::this_thread::sleep_for(1ms);
      return [&] { completed = true; };
    };
  });
  pool.enqueue([&]() -> WritePool::Blocking {
    second_prepared = true;
    return {};
  });
  while (!started)
    std::this_thread::sleep_for(1ms);
  pool.stop();
  k8s::testing::drain(io);
  EXPECT_FALSE(completed);
  EXPECT_FALSE(second_prepared);
  pool.enqueue([&]() -> WritePool::Blocking {
    second_prepared = true;
    return {};
  });
  EXPECT_FALSE(second_prepared) << "nothing runs after stop";
}

}  // namespace
}  // namespace ironlb::controller
