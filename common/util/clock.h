#pragma once
// Clock: the one place daemons read time. Logic takes a Clock& so tests can drive time by hand
// (ManualClock) instead of sleeping. Two readings, because they answer different questions:
// monotonic time for timeouts/expiry (never jumps), wall time for timestamps written to the API.

#include <atomic>
#include <chrono>

namespace ironlb::util {

using MonoTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime now() const = 0;
  virtual WallTime wallNow() const = 0;
};

// The process clocks. Stateless; one shared instance is enough.
class SystemClock final : public Clock {
 public:
  MonoTime now() const override { return std::chrono::steady_clock::now(); }
  WallTime wallNow() const override { return std::chrono::system_clock::now(); }
  static SystemClock& instance();
};

// A clock that only moves when told to. Both readings advance together. Safe to read from any
// thread while a test advances it (readers may run on informer/elector threads).
class ManualClock final : public Clock {
 public:
  // Starts at an arbitrary non-zero monotonic point and at 2024-01-01T00:00:00Z wall time, so
  // code that treats a zero time point as "unset" is not fooled.
  ManualClock();

  MonoTime now() const override { return MonoTime(Duration(mono_.load())); }
  WallTime wallNow() const override {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(Duration(wall_.load())));
  }

  void advance(Duration d) {
    mono_.fetch_add(d.count());
    wall_.fetch_add(d.count());
  }
  // Moves only wall time (models an NTP step); monotonic time is unaffected.
  void setWall(WallTime t) {
    wall_.store(std::chrono::duration_cast<Duration>(t.time_since_epoch()).count());
  }

 private:
  std::atomic<Duration::rep> mono_;
  std::atomic<Duration::rep> wall_;
};

}  // namespace ironlb::util
