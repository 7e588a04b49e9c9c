#pragma once
// WorkQueue: the reconcile queue of a controller, on the daemon's io_context (logic thread only).
//
//  - add(key): process the key soon. A key already waiting is not queued twice, however many
//    events name it (dedupe while pending).
//  - A key is never handed to the handler while a previous run for it is still in progress
//    (handlers may finish asynchronously, e.g. after a write on a BackgroundWorker). Adding it
//    meanwhile marks it dirty; it runs again once the current run finishes.
//  - The handler reports kDone (the key's retry backoff is forgotten) or kRetry (the key comes
//    back after its own exponential backoff: initial * 2^failures, capped, jittered; or later,
//    after retryNoSoonerThan(key, d), e.g. a server's Retry-After).
//  - addAfter(key, d): process no earlier than d from now (the earliest request wins).
//
// One key is dispatched per io_context task, so a long queue interleaves fairly with other
// work on the loop (informer events, packet handling). Metrics: each finished run counts
// metallb_k8s_client_updates_total; each kRetry also counts ..._update_errors_total.
//
//   WorkQueue queue(io, [&](const std::string& key, WorkQueue::Done done) {
//     done(reconcile(key) ? WorkQueue::Outcome::kDone : WorkQueue::Outcome::kRetry);
//   });

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/util/backoff.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

class K8sMetrics;

struct WorkQueueOptions {
  util::BackoffPolicy retry{.initial = std::chrono::milliseconds(5),
                            .max = std::chrono::seconds(300),
                            .multiplier = 2.0,
                            .jitter = 0.1};
  util::RandomSource random{};         // default: randomly seeded
  const util::Clock* clock = nullptr;  // default: the system clock
  K8sMetrics* metrics = nullptr;
};

class WorkQueue {
 public:
  enum class Outcome { kDone, kRetry };
  // Call exactly once per handler invocation, from any thread (it is posted to the loop);
  // later calls are ignored.
  using Done = std::function<void(Outcome)>;
  using Handler = std::function<void(const std::string& key, Done done)>;

  WorkQueue(boost::asio::io_context& io, Handler handler, WorkQueueOptions options = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void addAfter(const std::string& key, util::Duration delay);
  // add() after the key's backoff, and count one more failure for it.
  void addRateLimited(const std::string& key);
  // The key's next backoff (its next kRetry or addRateLimited) lasts at least `d`, e.g. the
  // Retry-After of a 429 answer. Call it before reporting kRetry.
  void retryNoSoonerThan(const std::string& key, util::Duration d);
  // Forget the key's failures (the next retry starts at the initial delay).
  void forget(const std::string& key);
  int failures(const std::string& key) const;

  size_t queued() const { return queue_.size(); }
  size_t inFlight() const { return processing_.size(); }
  size_t delayed() const { return delayed_.size(); }
  // Nothing queued, running or waiting on a timer.
  bool idle() const { return queue_.empty() && processing_.empty() && delayed_.empty(); }

  // Drops queued and delayed keys; further adds are ignored; pending Done calls become no-ops.
  void shutDown();

 private:
  struct Alive {
    bool alive = true;
  };
  void schedule();
  void dispatchOne();
  void finish(const std::string& key, Outcome outcome);

  boost::asio::io_context& io_;
  Handler handler_;
  WorkQueueOptions options_;
  std::shared_ptr<Alive> alive_;
  bool shutDown_ = false;
  bool dispatchPosted_ = false;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> queuedSet_;
  std::unordered_set<std::string> processing_;
  std::unordered_set<std::string> dirty_;  // added while processing
  std::unordered_map<std::string, int> failures_;
  std::unordered_map<std::string, util::Duration> minBackoff_;  // retryNoSoonerThan
  struct Delayed {
    std::unique_ptr<boost::asio::steady_timer> timer{};
    util::MonoTime due{};
  };
  std::unordered_map<std::string, Delayed> delayed_;
};

}  // namespace ironlb::k8s
