#pragma once
// Per-sender replay protection: a message is fresh when its (incarnation, sequence) is newer
// than anything seen from that sender, or within the last 64 sequences of the current
// incarnation and not seen before (UDP may reorder a little). The destination id inside every
// signed message stops a packet captured on its way to one member from being replayed to
// another, and senders number messages per destination, so one window per sender suffices and
// a burst the sender addresses to others does not push our packets out of the window.

#include <cstdint>

namespace ironlb::membership {

class ReplayWindow {
 public:
  enum class Verdict : uint8_t {
    kFresh,
    kReplay,            // seen before, or older than the window
    kStaleIncarnation,  // from an older incarnation of the sender (old process or replay)
  };

  static constexpr uint64_t kWindow = 64;

  // Checks and, when fresh, records the message.
  Verdict accept(uint64_t incarnation, uint64_t sequence);
  // Check only (no record), for callers that must validate more before committing.
  Verdict check(uint64_t incarnation, uint64_t sequence) const;

  uint64_t incarnation() const { return incarnation_; }
  void reset() { *this = ReplayWindow(); }

 private:
  uint64_t incarnation_ = 0;
  uint64_t highest_ = 0;
  uint64_t seen_ = 0;  // bit i: highest_ - i was seen
  bool any_ = false;
};

}  // namespace ironlb::membership
