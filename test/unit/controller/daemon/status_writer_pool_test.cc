// StatusWriterPool: at most N blocking calls at once, FIFO preparation, skipping, stop.
#include "controller/daemon/status_writer_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "common/k8s/testing/run_until.h"

namespace ironlb::controller {
namespace {

using k8s::testing::runUntil;
using namespace std::chrono_literals;

// Polls `done` (from any thread) until it holds or `limit` passes; false then.
bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Stands in for a blocking API call: counts the calls running at once (and the most seen) and
// holds until `release` is set (a test that never sets it fails instead of hanging).
void holdCall(std::atomic<int>& running, std::atomic<int>& peak, const std::atomic<bool>& release) {
  const int now = ++running;
  int p = peak.load();
  while (now > p && !peak.compare_exchange_weak(p, now)) {
  }
  EXPECT_TRUE(waitFor([&] { return release.load(); })) << "a held call was never released";
  --running;
}

TEST(StatusWriterPoolTest, BoundsConcurrencyAndKeepsOrder) {
  boost::asio::io_context io;
  StatusWriterPool pool(io, 3, "t");
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<bool> release{false};
  std::vector<int> prepared;
  std::vector<int> completed;
  for (int i = 0; i < 10; ++i) {
    pool.enqueue([&, i]() -> StatusWriterPool::Blocking {
      prepared.push_back(i);
      return [&, i]() -> StatusWriterPool::Completion {
        holdCall(running, peak, release);
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

TEST(StatusWriterPoolTest, SkippedJobsTakeNoWorker) {
  boost::asio::io_context io;
  StatusWriterPool pool(io, 1, "t");
  int ran = 0;
  pool.enqueue([]() -> StatusWriterPool::Blocking { return {}; });
  pool.enqueue([&]() -> StatusWriterPool::Blocking {
    return [&]() -> StatusWriterPool::Completion { return [&] { ++ran; }; };
  });
  ASSERT_TRUE(runUntil(
      io, [&] { return ran == 1; }, 5s));
  EXPECT_TRUE(pool.idle());
}

TEST(StatusWriterPoolTest, StopDropsWaitingAndSilencesCompletions) {
  boost::asio::io_context io;
  StatusWriterPool pool(io, 1, "t");
  std::atomic<bool> started{false};
  bool completed = false;
  bool secondPrepared = false;
  pool.enqueue([&]() -> StatusWriterPool::Blocking {
    return [&]() -> StatusWriterPool::Completion {
      started = true;
      // Stands in for a blocking call that stop() cancels through the worker's token.
      k8s::CancelToken* token = StatusWriterPool::currentToken();
      EXPECT_TRUE(waitFor([&] { return token->cancelled(); })) << "stop() cancelled the call";
      return [&] { completed = true; };
    };
  });
  pool.enqueue([&]() -> StatusWriterPool::Blocking {
    secondPrepared = true;
    return {};
  });
  ASSERT_TRUE(waitFor([&] { return started.load(); }));
  pool.stop();
  k8s::testing::drain(io);
  EXPECT_FALSE(completed);
  EXPECT_FALSE(secondPrepared);
  pool.enqueue([&]() -> StatusWriterPool::Blocking {
    secondPrepared = true;
    return {};
  });
  EXPECT_FALSE(secondPrepared) << "nothing runs after stop";
}

// Writes that hold until `release` is set, counting how many run at once; each completion
// reports success or a 429 (with a Retry-After).
class Writes {
 public:
  explicit Writes(StatusWriterPool& pool) : pool_(pool) {}
  // A test that failed half-way must not leave a worker waiting (the pool joins its workers).
  ~Writes() { release = true; }
  void add(int n, bool rejected = false, util::Duration retryAfter = 300ms) {
    for (int i = 0; i < n; ++i) {
      pool_.enqueue([this, rejected, retryAfter]() -> StatusWriterPool::Blocking {
        return [this, rejected, retryAfter]() -> StatusWriterPool::Completion {
          holdCall(running, peak, release);
          return [this, rejected, retryAfter] {
            if (rejected) {
              outcomes.push_back(pool_.pushedBack(retryAfter));
            } else {
              pool_.succeeded();
            }
            ++completed;
          };
        };
      });
    }
  }
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<bool> release{false};
  int completed = 0;
  std::vector<StatusWriterPool::Pushback> outcomes;

 private:
  StatusWriterPool& pool_;
};

// Slow start: at most 4 writes at first, one more per success (doubling each round), up to
// the number of workers.
TEST(StatusWriterPoolTest, StartsWithFewWritesAndDoublesEachRound) {
  boost::asio::io_context io;
  StatusWriterPool pool(io, 32, "t");
  Writes w(pool);
  EXPECT_EQ(pool.limit(), 4u);
  w.add(100);
  EXPECT_EQ(pool.busy(), 4u);
  EXPECT_EQ(pool.waiting(), 96u);
  w.release = true;
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 100; }, 10s));
  EXPECT_EQ(pool.limit(), 32u) << "4 + 28 successes";
  EXPECT_LE(w.peak.load(), 32);
  EXPECT_TRUE(pool.idle());
}

// The server said 429: half as many writes go out at once, once per round (the other writes of
// the same round coming back with 429 decrease nothing more), no growth before Retry-After,
// then one more per run of successes as long as the limit, never above the workers.
TEST(StatusWriterPoolTest, PushbackHalvesTheWritesInFlightOncePerRound) {
  using P = StatusWriterPool::Pushback;
  boost::asio::io_context io;
  k8s::BusySignal signal;
  util::ManualClock clock;  // Retry-After passes only when the test says so
  StatusWriterPool pool(io, 8, "t", &signal, clock);
  Writes w(pool);
  w.release = true;
  w.add(4);  // slow start to all 8 workers
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 4; }, 5s));
  ASSERT_EQ(pool.limit(), 8u);
  w.release = false;
  w.add(3, true);  // one round: eight writes in flight, three of them rejected
  w.add(20);
  EXPECT_EQ(pool.busy(), 8u);
  EXPECT_EQ(signal.pending(), 23u) << "waiting and running writes count as pending";
  w.release = true;
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 27; }, 10s));
  EXPECT_EQ(w.outcomes, (std::vector{P::kFewer, P::kNone, P::kNone}));
  EXPECT_EQ(pool.limit(), 4u) << "no growth before Retry-After, however many successes";
  EXPECT_LE(w.peak.load(), 8);

  // A 429 of a later round halves again.
  w.release = false;
  w.add(1, true, 1ms);
  ASSERT_TRUE(runUntil(
      io, [&] { return w.running == 1; }, 5s));
  w.release = true;
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 28; }, 5s));
  EXPECT_EQ(w.outcomes.back(), P::kFewer);
  EXPECT_EQ(pool.limit(), 2u);
  // After Retry-After (1 ms), successes raise it by one per round: 2 successes -> 3, 3 more -> 4.
  clock.advance(5ms);
  w.release = false;
  w.add(5);
  ASSERT_TRUE(runUntil(
      io, [&] { return w.running == 2; }, 5s));
  k8s::testing::drain(io);
  EXPECT_EQ(pool.busy(), 2u) << "two at once";
  w.release = true;
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 33; }, 5s));
  EXPECT_EQ(pool.limit(), 4u);
  EXPECT_EQ(signal.pending(), 0u);
  EXPECT_TRUE(pool.idle());
}

// At one write at a time, a 429 pauses every write until Retry-After has passed.
TEST(StatusWriterPoolTest, PushbackAtOneWritePausesEveryWriteForRetryAfter) {
  using P = StatusWriterPool::Pushback;
  boost::asio::io_context io;
  StatusWriterPool pool(io, 1, "t");
  Writes w(pool);
  w.release = true;
  w.add(1, true, 300ms);
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 1; }, 5s));
  const auto pausedAt = std::chrono::steady_clock::now();
  EXPECT_EQ(w.outcomes, std::vector{P::kPaused});
  EXPECT_TRUE(pool.paused());
  w.add(2);
  k8s::testing::drain(io);
  EXPECT_EQ(pool.busy(), 0u) << "nothing starts while paused";
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 3; }, 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - pausedAt, 250ms) << "Retry-After was honoured";
  EXPECT_FALSE(pool.paused());
}

TEST(StatusWriterPoolTest, StopEndsAPauseAndClearsTheSignal) {
  boost::asio::io_context io;
  k8s::BusySignal signal;
  StatusWriterPool pool(io, 1, "t", &signal);
  Writes w(pool);
  w.release = true;
  w.add(1, true, 1h);
  ASSERT_TRUE(runUntil(
      io, [&] { return w.completed == 1; }, 5s));
  ASSERT_TRUE(pool.paused());
  w.add(1);
  EXPECT_EQ(signal.pending(), 1u);
  pool.stop();
  EXPECT_EQ(signal.pending(), 0u);
  k8s::testing::drain(io);  // the cancelled timer's handler touches nothing
}

}  // namespace
}  // namespace ironlb::controller
