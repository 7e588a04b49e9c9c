#pragma once
// Backoff: exponential retry delays with a cap and jitter. Randomness is injected so tests can
// pin the sequence; the delay grows on every failure and resets on success.
//
//   Backoff b(BackoffPolicy{.initial = 100ms, .max = 30s}, makeRandomSource());
//   on failure: wait b.next();   on success: b.reset();
//
// Jitter only ever shortens a delay: next() returns a value in [d * (1 - jitter), d] where
// d = min(max, initial * multiplier^failures). So max is a hard ceiling (useful when a caller
// must retry within a deadline) and simultaneous clients still spread out.

#include <chrono>
#include <cstdint>
#include <functional>

#include "common/util/clock.h"

namespace ironlb::util {

// Returns a uniformly distributed value in [0, 1). Called only from the owner's thread.
using RandomSource = std::function<double()>;

// A seeded PRNG; seed 0 draws a seed from std::random_device.
RandomSource makeRandomSource(std::uint64_t seed = 0);

struct BackoffPolicy {
  Duration initial = std::chrono::milliseconds(200);
  Duration max = std::chrono::seconds(30);
  double multiplier = 2.0;
  double jitter = 0.2;  // fraction in [0, 1]
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, RandomSource random);

  // The delay before the next attempt; each call counts one more failure.
  Duration next();
  // Success: the next failure starts again at `initial`.
  void reset() { failures_ = 0; }
  // Failures since the last reset.
  int failures() const { return failures_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  RandomSource random_;
  int failures_ = 0;
};

// The un-jittered delay after `failures` failures (0 -> initial). Exposed for callers that keep
// their own failure counts (the work queue keeps one per key).
Duration backoffDelay(const BackoffPolicy& policy, int failures);
// Applies the policy's jitter to a delay using one draw from `random`.
Duration applyJitter(const BackoffPolicy& policy, Duration d, const RandomSource& random);

}  // namespace ironlb::util
