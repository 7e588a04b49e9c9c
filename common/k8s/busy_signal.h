#pragma once
// BusySignal: how many writes that people wait for (the controller's Service status writes) are
// waiting or in flight, so that a best-effort writer (the EventRecorder) can stand back while
// there are any. Both go to the same API server and count against the same API Priority and
// Fairness share; during a burst of new Services every Event written is a status write later.
// A writer that waits never waits longer than it asks to, so Events are delayed, not starved.
//
// Thread-safe: the owner of the writes calls set() (e.g. from the logic thread), a waiter calls
// waitIdle() from its own thread, and wake() cuts every wait short (for a waiter that stops).

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

#include "common/util/clock.h"

namespace ironlb::k8s {

class BusySignal {
 public:
  void set(std::size_t pending);
  std::size_t pending() const;

  // Returns once nothing is pending (true), `max` passed, or `abandon()` holds after a wake()
  // (false). Real time.
  bool waitIdle(util::Duration max, const std::function<bool()>& abandon);
  // Re-checks every waiter's `abandon`.
  void wake();

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::size_t pending_ = 0;
};

}  // namespace ironlb::k8s
