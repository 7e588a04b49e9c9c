// TokenBucket.
#include "common/k8s/token_bucket.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

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

Result<double> parseApiRate(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0 || v > 1e6) {
    return makeError("--" + flag + "=" + text + ": expected a number from 0 (no limit) to 1000000");
  }
  return v;
}

}  // namespace ironlb::k8s
