// TokenBucket.
#include "common/k8s/token_bucket.h"

#include <algorithm>

namespace ironlb::k8s {

TokenBucket::TokenBucket(double qps, double burst, const util::Clock& clock)
    : qps_(qps), burst_(std::max(1.0, burst)), clock_(clock), tokens_(burst_), last_(clock.now()) {}

util::Duration TokenBucket::take() {
  if (unlimited()) return util::Duration::zero();
  std::lock_guard lock(mu_);
  const util::MonoTime now = clock_.now();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  tokens_ -= 1.0;
  if (tokens_ >= 0) return util::Duration::zero();
  return std::chrono::duration_cast<util::Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

}  // namespace ironlb::k8s
