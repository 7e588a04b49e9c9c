// Clock implementations.
#include "common/util/clock.h"

namespace ironlb::util {

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

namespace {
// 2024-01-01T00:00:00Z.
constexpr std::chrono::seconds kManualWallEpoch{1704067200};
constexpr std::chrono::hours kManualMonoStart{1000};
}  // namespace

ManualClock::ManualClock()
    : mono_(std::chrono::duration_cast<Duration>(kManualMonoStart).count()),
      wall_(std::chrono::duration_cast<Duration>(kManualWallEpoch).count()) {}

}  // namespace ironlb::util
