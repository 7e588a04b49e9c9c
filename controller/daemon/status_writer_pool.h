#pragma once
// StatusWriterPool: the controller's Service status writers. A bounded number of blocking API
// writes in flight at once, each on its own BackgroundWorker thread, fed in FIFO order from the
// logic thread.
//
// A job is prepared only when a worker is free, so what it writes is decided from the freshest
// state (the informer's latest copy of the object), not from a snapshot taken when the job was
// queued; waiting jobs hold no object copies. The three stages:
//   Job        logic thread, when a worker is free: returns the blocking call, or {} to skip;
//   Blocking   the worker thread: the API call; returns the completion;
//   Completion logic thread: handles the result.
// After stop() nothing runs any more (waiting jobs are dropped, completions become no-ops).
//
// Concurrency adapts as TCP's congestion window does (slow start, then additive increase,
// multiplicative decrease), with the API server's 429 as the loss signal: the API server answers
// 429 when this client's API Priority and Fairness share (or its max-in-flight limit) is full.
//   * A pool starts with at most 4 writes in flight and adds one per success (doubling each
//     round) up to the number of workers, so a burst uses every worker after a few dozen
//     writes, and a server that cannot take that many sees only a few 429s.
//   * A 429, reported by the completion with pushedBack(retryAfter), halves the writes in flight
//     (at least one; once per round: 429s for writes that started before the last decrease do
//     not decrease it again); from then on the limit grows by one per run of successes as long
//     as the limit, and not at all until Retry-After has passed (1 s when the server gave none).
//   * At one write at a time, a further 429 pauses every write for Retry-After.
// The rejected write itself is retried by its owner after Retry-After.
//
// The optional BusySignal shows how many writes are waiting or in flight, so best-effort
// writers (Events) can stand back while there are any.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/k8s/background_worker.h"
#include "common/k8s/busy_signal.h"
#include "common/util/clock.h"

namespace ironlb::controller {

class StatusWriterPool {
 public:
  using Completion = std::function<void()>;
  using Blocking = std::function<Completion()>;
  using Job = std::function<Blocking()>;

  StatusWriterPool(boost::asio::io_context& io, std::size_t workers, const std::string& name,
                   k8s::BusySignal* busySignal = nullptr,
                   const util::Clock& clock = util::SystemClock::instance());
  ~StatusWriterPool();
  StatusWriterPool(const StatusWriterPool&) = delete;
  StatusWriterPool& operator=(const StatusWriterPool&) = delete;

  void enqueue(Job job);
  std::size_t waiting() const { return waiting_.size(); }
  std::size_t busy() const { return workers_.size() - idle_.size(); }
  bool idle() const { return waiting_.empty() && idle_.size() == workers_.size(); }
  // Cancels the calls in flight (through each worker's token), drops waiting jobs, joins.
  void stop();

  // From a completion (logic thread): the write succeeded / the server said 429.
  void succeeded();
  // Returns what it did: nothing (a 429 of a round already answered), a decrease, or a pause.
  enum class Pushback { kNone, kFewer, kPaused };
  Pushback pushedBack(util::Duration retryAfter);
  // Writes allowed in flight now.
  std::size_t limit() const { return limit_; }
  bool paused() const { return paused_; }

  // The cancel token of the worker running the current blocking call (pass it as
  // CallOptions::cancel). Valid only inside a Blocking function.
  static k8s::CancelToken* currentToken();

 private:
  void pump();
  void signal();

  std::vector<std::unique_ptr<k8s::BackgroundWorker>> workers_;
  std::vector<k8s::BackgroundWorker*> idle_;
  std::deque<Job> waiting_;
  k8s::BusySignal* busySignal_;
  const util::Clock& clock_;
  std::size_t limit_;
  std::size_t threshold_;       // below it the limit doubles per round, above it grows by one
  std::size_t successes_ = 0;   // since the limit last changed
  uint64_t started_ = 0;        // writes started so far (each write's number)
  uint64_t completing_ = 0;     // the number of the write whose completion runs now
  uint64_t decreasedAt_ = 0;    // started_ when the limit last went down
  util::MonoTime holdUntil_{};  // no growth before (Retry-After)
  bool paused_ = false;
  boost::asio::steady_timer resume_;
  std::shared_ptr<bool> alive_;
  bool stopped_ = false;
};

}  // namespace ironlb::controller
