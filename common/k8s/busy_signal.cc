// BusySignal.
#include "common/k8s/busy_signal.h"

namespace ironlb::k8s {

void BusySignal::set(std::size_t pending) {
  std::lock_guard lock(mu_);
  const bool idleNow = pending == 0 && pending_ != 0;
  pending_ = pending;
  if (idleNow) cv_.notify_all();
}

std::size_t BusySignal::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

bool BusySignal::waitIdle(util::Duration max, const std::function<bool()>& abandon) {
  std::unique_lock lock(mu_);
  bool abandoned = false;
  const bool idle = cv_.wait_for(lock, max, [&] {
    abandoned = abandon && abandon();
    return pending_ == 0 || abandoned;
  });
  return idle && !abandoned;
}

void BusySignal::wake() {
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

}  // namespace ironlb::k8s
