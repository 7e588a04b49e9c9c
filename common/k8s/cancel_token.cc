// CancelToken.
#include "common/k8s/cancel_token.h"

namespace ironlb::k8s {

void CancelToken::cancel() {
  std::lock_guard lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  cv_.notify_all();
  if (hook_) hook_();
}

bool CancelToken::sleepFor(util::Duration d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return cancelled(); });
}

void CancelToken::setHook(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
  if (cancelled() && hook_) hook_();
}

void CancelToken::clearHook() {
  std::lock_guard lock(mu_);
  hook_ = nullptr;
}

Sleeper realSleeper() {
  return [](util::Duration d, CancelToken& token) { return token.sleepFor(d); };
}

}  // namespace ironlb::k8s
