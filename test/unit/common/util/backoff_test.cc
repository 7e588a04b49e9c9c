#include "common/util/backoff.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace ironlb::util {
namespace {

using namespace std::chrono_literals;

RandomSource constantRandom(double r) {
  return [r] { return r; };
}

TEST(BackoffTest, DoublesFromInitialUpToTheCapWithoutJitter) {
  Backoff b({.initial = 100ms, .max = 1s, .multiplier = 2.0, .jitter = 0.0}, constantRandom(0.5));
  const std::vector<Duration> expected = {100ms, 200ms, 400ms, 800ms, 1s, 1s};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(b.next(), expected[i]) << "attempt " << i;
  }
  EXPECT_EQ(b.failures(), 6);
}

TEST(BackoffTest, ResetStartsOverAtInitial) {
  Backoff b({.initial = 10ms, .max = 1s, .multiplier = 3.0, .jitter = 0.0}, constantRandom(0));
  EXPECT_EQ(b.next(), 10ms);
  EXPECT_EQ(b.next(), 30ms);
  b.reset();
  EXPECT_EQ(b.failures(), 0);
  EXPECT_EQ(b.next(), 10ms);
}

TEST(BackoffTest, JitterShortensByUpToTheJitterFraction) {
  struct Case {
    double random;
    Duration expected;
  };
  // d = 1s, jitter 0.5: result = d * (1 - 0.5 * r).
  const std::vector<Case> cases = {{0.0, 1000ms}, {0.5, 750ms}, {0.999, 500500us}};
  for (const auto& c : cases) {
    Backoff b({.initial = 1s, .max = 10s, .multiplier = 2.0, .jitter = 0.5},
              constantRandom(c.random));
    const Duration d = b.next();
    EXPECT_NEAR(std::chrono::duration<double>(d).count(),
                std::chrono::duration<double>(c.expected).count(), 1e-6)
        << "random " << c.random;
  }
}

TEST(BackoffTest, JitteredDelayNeverExceedsTheCap) {
  Backoff b({.initial = 1ms, .max = 50ms, .multiplier = 2.0, .jitter = 0.3}, makeRandomSource(7));
  for (int i = 0; i < 200; ++i) {
    const Duration d = b.next();
    EXPECT_LE(d, 50ms);
    EXPECT_GT(d, Duration::zero());
  }
}

TEST(BackoffTest, HugeFailureCountsSaturateAtMax) {
  const BackoffPolicy p{.initial = 1ms, .max = 5s, .multiplier = 10.0, .jitter = 0.0};
  EXPECT_EQ(backoffDelay(p, 0), 1ms);
  EXPECT_EQ(backoffDelay(p, 3), 1s);
  EXPECT_EQ(backoffDelay(p, 500), 5s);
  EXPECT_EQ(backoffDelay(p, 1'000'000), 5s);
}

TEST(BackoffTest, SeededRandomSourcesRepeat) {
  RandomSource a = makeRandomSource(42);
  RandomSource b = makeRandomSource(42);
  for (int i = 0; i < 10; ++i) {
    const double x = a();
    EXPECT_EQ(x, b());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(BackoffTest, RejectsNonsensePolicies) {
  EXPECT_THROW(Backoff({.initial = 0ms, .max = 1s}, constantRandom(0)), std::invalid_argument);
  EXPECT_THROW(Backoff({.initial = 2s, .max = 1s}, constantRandom(0)), std::invalid_argument);
  EXPECT_THROW(Backoff({.initial = 1s, .max = 2s, .multiplier = 0.5}, constantRandom(0)),
               std::invalid_argument);
  EXPECT_THROW(Backoff({.initial = 1s, .max = 2s, .jitter = 1.5}, constantRandom(0)),
               std::invalid_argument);
  EXPECT_THROW(Backoff({.initial = 1s, .max = 2s}, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace ironlb::util
