#include "common/k8s/background_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/k8s/testing/run_until.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::drain;
using testing::runUntil;

TEST(BackgroundWorkerTest, RunsWorkOffThreadAndCompletesOnTheLoopInOrder) {
  boost::asio::io_context io;
  BackgroundWorker worker(io, "test");
  const auto loopThread = std::this_thread::get_id();
  std::vector<int> results;
  std::atomic<bool> offThread{true};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(worker.submit<int>(
        [i, &offThread, loopThread] {
          if (std::this_thread::get_id() == loopThread) offThread = false;
          return i * i;
        },
        [&results, loopThread](int r) {
          EXPECT_EQ(std::this_thread::get_id(), loopThread);
          results.push_back(r);
        }));
  }
  ASSERT_TRUE(runUntil(io, [&] { return results.size() == 5; }));
  EXPECT_EQ(results, (std::vector<int>{0, 1, 4, 9, 16}));
  EXPECT_TRUE(offThread);
}

TEST(BackgroundWorkerTest, FullQueueRejects) {
  boost::asio::io_context io;
  BackgroundWorker worker(io, "test", 1);
  std::atomic<bool> release{false};
  std::atomic<bool> running{false};
  ASSERT_TRUE(worker.submit<int>(
      [&] {
        running = true;
        while (!release)
          std::this_thread::yield();
        return 1;
      },
      [](int) {}));
  while (!running)
    std::this_thread::yield();
  EXPECT_TRUE(worker.submit<int>([] { return 2; }, [](int) {}));
  EXPECT_FALSE(worker.submit<int>([] { return 3; }, [](int) {}));
  release = true;
}

TEST(BackgroundWorkerTest, StopCancelsInFlightAndDropsTheRest) {
  boost::asio::io_context io;
  BackgroundWorker worker(io, "test");
  std::atomic<bool> running{false};
  int completions = 0;
  ASSERT_TRUE(worker.submit<bool>(
      [&] {
        running = true;
        return worker.token().sleepFor(1h);  // a blocking call that honours the token
      },
      [&](bool) { ++completions; }));
  ASSERT_TRUE(worker.submit<int>([] { return 1; }, [&](int) { ++completions; }));
  while (!running)
    std::this_thread::yield();
  const auto t0 = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  drain(io);
  EXPECT_EQ(completions, 0) << "no completion runs after stop";
  EXPECT_FALSE(worker.submit<int>([] { return 1; }, [](int) {}));
}

}  // namespace
}  // namespace ironlb::k8s
