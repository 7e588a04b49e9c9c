// Backoff arithmetic. Computed in double and clamped before converting back, so large failure
// counts saturate at max instead of overflowing.
#include "common/util/backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <stdexcept>

namespace ironlb::util {

RandomSource makeRandomSource(std::uint64_t seed) {
  if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Backoff::Backoff(BackoffPolicy policy, RandomSource random)
    : policy_(policy), random_(std::move(random)) {
  if (policy_.initial <= Duration::zero() || policy_.max < policy_.initial ||
      policy_.multiplier < 1.0 || policy_.jitter < 0.0 || policy_.jitter > 1.0 || !random_) {
    throw std::invalid_argument(
        "Backoff: need 0 < initial <= max, multiplier >= 1, jitter in [0,1]"
        " and a random source");
  }
}

Duration backoffDelay(const BackoffPolicy& policy, int failures) {
  const double initial = static_cast<double>(policy.initial.count());
  const double cap = static_cast<double>(policy.max.count());
  const double d = initial * std::pow(policy.multiplier, std::max(failures, 0));
  if (!(d < cap)) return policy.max;  // also catches inf
  return Duration(static_cast<Duration::rep>(d));
}

Duration applyJitter(const BackoffPolicy& policy, Duration d, const RandomSource& random) {
  if (policy.jitter <= 0.0) return d;
  const double r = std::clamp(random(), 0.0, 1.0);
  const double factor = 1.0 - policy.jitter * r;
  return Duration(static_cast<Duration::rep>(static_cast<double>(d.count()) * factor));
}

Duration Backoff::next() {
  const Duration d = backoffDelay(policy_, failures_);
  if (failures_ < 1'000'000) ++failures_;
  return applyJitter(policy_, d, random_);
}

}  // namespace ironlb::util
