#pragma once
// Indirect probes we run for other monitors: on a ping-req we ping the suspect (twice, spaced
// helperRetry apart, so one lost packet does not make us vote "unreachable") and answer as soon
// as it acks, or "unreachable" at helperTimeout. A fixed table bounds the work a burst of
// requests can cause.

#include <array>
#include <cstddef>
#include <cstdint>

#include "speaker/membership/config.h"
#include "speaker/membership/protocol_sink.h"

namespace ironlb::membership {

class HelperDuty {
 public:
  static constexpr std::size_t kCapacity = 32;

  explicit HelperDuty(const Timers& timers) : timers_(timers) {}

  // False when the table is full (the request is dropped; the requester asks others).
  bool onPingReq(MemberId requester, MemberId target, uint64_t requestId, util::MonoTime now,
                 ProtocolSink& sink);
  void onHeard(MemberId id, ProtocolSink& sink);
  void onTimer(util::MonoTime now, ProtocolSink& sink);
  // After a local stall our silence verdicts are worthless: drop overdue duties unanswered.
  void onStall(util::MonoTime now);
  void forget(MemberId id);  // member removed from the list
  util::MonoTime nextWakeup() const;
  std::size_t pending() const { return count_; }

 private:
  struct Duty {
    MemberId requester = 0;
    MemberId target = 0;
    uint64_t requestId = 0;
    util::MonoTime retryAt{};
    util::MonoTime deadline{};
    bool retried = false;
  };
  void removeAt(std::size_t i) { duties_[i] = duties_[--count_]; }

  const Timers& timers_;
  std::array<Duty, kCapacity> duties_{};
  std::size_t count_ = 0;
};

}  // namespace ironlb::membership
