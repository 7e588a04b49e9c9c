#include "common/k8s/work_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/testing/run_until.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using Outcome = WorkQueue::Outcome;
using testing::drain;
using testing::runUntil;

WorkQueueOptions fastRetries(K8sMetrics* metrics = nullptr) {
  WorkQueueOptions o;
  o.retry = {.initial = 1ms, .max = 8ms, .multiplier = 2.0, .jitter = 0.0};
  o.random = [] { return 0.0; };
  o.metrics = metrics;
  return o;
}

class WorkQueueTest : public ::testing::Test {
 protected:
  // A handler whose outcome the test scripts per key (default kDone); it records each call.
  WorkQueue::Handler recording() {
    return [this](const std::string& key, WorkQueue::Done done) {
      calls_.push_back(key);
      auto& script = outcomes_[key];
      Outcome o = Outcome::kDone;
      if (!script.empty()) {
        o = script.front();
        script.erase(script.begin());
      }
      done(o);
    };
  }
  // A handler that records each call and leaves it running until the test calls its Done.
  WorkQueue::Handler deferring(std::vector<WorkQueue::Done>& pending) {
    return [this, &pending](const std::string& key, WorkQueue::Done done) {
      calls_.push_back(key);
      pending.push_back(std::move(done));
    };
  }
  boost::asio::io_context io_;
  std::vector<std::string> calls_;
  std::map<std::string, std::vector<Outcome>> outcomes_;
};

TEST_F(WorkQueueTest, DeduplicatesWhilePendingAndKeepsFifoOrder) {
  WorkQueue q(io_, recording(), fastRetries());
  for (const char* k : {"a", "b", "a", "c", "b", "a"})
    q.add(k);
  EXPECT_EQ(q.queued(), 3u);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
  EXPECT_EQ(calls_, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(WorkQueueTest, AKeyIsNeverProcessedConcurrentlyWithItself) {
  std::vector<WorkQueue::Done> pending;
  WorkQueue q(io_, deferring(pending), fastRetries());
  q.add("a");
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 1; }));
  q.add("a");
  q.add("a");
  drain(io_);
  EXPECT_EQ(calls_.size(), 1u) << "re-added while in flight: must wait";
  EXPECT_EQ(q.inFlight(), 1u);
  pending[0](Outcome::kDone);
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 2; }));
  EXPECT_EQ(calls_, (std::vector<std::string>{"a", "a"})) << "dirty key runs once more";
  pending[1](Outcome::kDone);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(WorkQueueTest, OtherKeysProceedWhileOneIsInFlight) {
  std::vector<WorkQueue::Done> pending;
  WorkQueue q(io_, deferring(pending), fastRetries());
  q.add("slow");
  q.add("other");
  ASSERT_TRUE(runUntil(io_, [&] { return calls_.size() == 2; }));
  EXPECT_EQ(q.inFlight(), 2u);
  for (auto& d : pending)
    d(Outcome::kDone);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
}

TEST_F(WorkQueueTest, RetriesWithPerKeyBackoffAndForgetsOnSuccess) {
  outcomes_["a"] = {Outcome::kRetry, Outcome::kRetry, Outcome::kRetry};
  WorkQueue q(io_, recording(), fastRetries());
  q.add("a");
  ASSERT_TRUE(runUntil(io_, [&] { return calls_.size() == 1; }));
  ASSERT_TRUE(runUntil(io_, [&] { return q.failures("a") == 1; }));
  EXPECT_EQ(q.delayed(), 1u) << "a retry waits for its backoff, it is not queued at once";
  ASSERT_TRUE(runUntil(io_, [&] { return calls_.size() == 4 && q.idle(); }));
  EXPECT_EQ(q.failures("a"), 0) << "success forgets the failures";
}

TEST_F(WorkQueueTest, RetryBackoffIsPerKey) {
  outcomes_["bad"] = {Outcome::kRetry, Outcome::kRetry};
  WorkQueue q(io_, recording(), fastRetries());
  q.add("bad");
  q.add("good");
  ASSERT_TRUE(runUntil(io_, [&] { return q.failures("bad") == 1; }));
  EXPECT_EQ(q.failures("good"), 0);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
}

TEST_F(WorkQueueTest, AddRateLimitedCountsFailuresAndForgetResets) {
  WorkQueue q(io_, recording(), fastRetries());
  q.addRateLimited("k");
  q.addRateLimited("k");
  EXPECT_EQ(q.failures("k"), 2);
  q.forget("k");
  EXPECT_EQ(q.failures("k"), 0);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
  EXPECT_EQ(calls_, (std::vector<std::string>{"k"})) << "both delayed adds collapse into one run";
}

TEST_F(WorkQueueTest, AddAfterKeepsTheEarliestWakeUp) {
  WorkQueue q(io_, recording(), fastRetries());
  q.addAfter("a", 1h);
  q.addAfter("a", 1ms);
  q.addAfter("b", 1ms);
  q.addAfter("b", 1h);
  ASSERT_TRUE(runUntil(io_, [&] { return calls_.size() == 2; }));
  EXPECT_EQ(q.delayed(), 0u);
}

TEST_F(WorkQueueTest, DirtyKeyThatFailedRunsAgainWithoutWaiting) {
  std::vector<WorkQueue::Done> pending;
  WorkQueueOptions o = fastRetries();
  o.retry = {.initial = 1h, .max = 1h, .multiplier = 2.0, .jitter = 0.0};
  WorkQueue q(io_, deferring(pending), o);
  q.add("a");
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 1; }));
  q.add("a");  // new information while the first run is failing
  pending[0](Outcome::kRetry);
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 2; }));
  pending[1](Outcome::kDone);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
}

// A server's Retry-After: the key's next retry waits at least that long, even when it was
// re-added while failing; once used, the key's usual backoff applies again.
TEST_F(WorkQueueTest, RetryNoSoonerThanStretchesTheNextBackoffOnly) {
  std::vector<WorkQueue::Done> pending;
  WorkQueue q(io_, deferring(pending), fastRetries());
  q.add("a");
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 1; }));
  q.add("a");  // dirty: without a Retry-After it would run again at once
  q.retryNoSoonerThan("a", 1h);
  pending[0](Outcome::kRetry);
  ASSERT_TRUE(runUntil(io_, [&] { return q.delayed() == 1; }));
  drain(io_);
  EXPECT_EQ(calls_.size(), 1u) << "waits for the Retry-After";
  q.addAfter("a", 1ms);  // the test's stand-in for the hour passing
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 2; }));
  pending[1](Outcome::kRetry);
  ASSERT_TRUE(runUntil(
      io_, [&] { return pending.size() == 3; }, 5s))
      << "the next retry takes the usual (1 ms) backoff";
  pending[2](Outcome::kDone);
  ASSERT_TRUE(runUntil(io_, [&] { return q.idle(); }));
}

TEST_F(WorkQueueTest, DoneMayBeCalledFromAnotherThreadAndOnlyOnce) {
  std::thread worker;
  WorkQueue q(
      io_,
      [&](const std::string& key, WorkQueue::Done done) {
        calls_.push_back(key);
        worker = std::thread([done] {
          done(Outcome::kDone);
          done(Outcome::kRetry);  // ignored
        });
      },
      fastRetries());
  q.add("a");
  ASSERT_TRUE(runUntil(io_, [&] { return !calls_.empty() && q.idle(); }));
  worker.join();
  drain(io_);
  EXPECT_EQ(q.failures("a"), 0);
  EXPECT_TRUE(q.idle());
}

TEST_F(WorkQueueTest, CountsUpdatesAndErrors) {
  util::MetricsRegistry reg;
  K8sMetrics m(reg);
  outcomes_["a"] = {Outcome::kRetry};
  WorkQueue q(io_, recording(), fastRetries(&m));
  q.add("a");
  q.add("b");
  ASSERT_TRUE(runUntil(io_, [&] { return calls_.size() == 3 && q.idle(); }));
  EXPECT_EQ(m.updates().value(), 3);
  EXPECT_EQ(m.updateErrors().value(), 1);
}

TEST_F(WorkQueueTest, ShutDownDropsWorkAndIgnoresLateDone) {
  std::vector<WorkQueue::Done> pending;
  auto q = std::make_unique<WorkQueue>(
      io_,
      [&](const std::string& key, WorkQueue::Done done) {
        calls_.push_back(key);
        pending.push_back(std::move(done));
      },
      fastRetries());
  q->add("a");
  ASSERT_TRUE(runUntil(io_, [&] { return pending.size() == 1; }));
  q->add("b");
  q->addAfter("c", 1ms);
  q->shutDown();
  q->add("d");
  EXPECT_EQ(q->queued(), 0u);
  EXPECT_EQ(q->delayed(), 0u);
  q.reset();
  pending[0](Outcome::kRetry);  // after destruction: harmless
  drain(io_);
  EXPECT_EQ(calls_, (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace ironlb::k8s
