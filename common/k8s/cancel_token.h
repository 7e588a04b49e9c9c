#pragma once
// CancelToken: lets one thread abandon another thread's blocking work promptly: a request or
// watch stream in the transport, or a backoff sleep. cancel() is sticky (a cancelled token stays
// cancelled) and may be called from any thread, any number of times.
//
// The transport registers a hook while a request is in flight (setHook/clearHook); cancel()
// runs it under the token's lock, so a hook never runs after clearHook() returns and the
// transport can free what the hook touches right after clearing it. Because the hook runs
// under the token's lock, it must not take a lock that its owner holds while calling
// setHook()/clearHook() (lock-order inversion).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "common/util/clock.h"

namespace ironlb::k8s {

class CancelToken {
 public:
  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Waits up to `d` (real time). Returns true if the time passed, false if cancelled.
  bool sleepFor(util::Duration d);

  // Runs `hook` on cancel(); if already cancelled, runs it now. Replaces any previous hook.
  void setHook(std::function<void()> hook);
  void clearHook();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> cancelled_{false};
  std::function<void()> hook_;
};

// A pause between retries that can be cut short. Background loops take one so tests can
// substitute a sleeper that advances a ManualClock instead of waiting. Returns false when the
// token was cancelled (the loop should exit).
using Sleeper = std::function<bool(util::Duration, CancelToken&)>;
Sleeper realSleeper();

}  // namespace ironlb::k8s
