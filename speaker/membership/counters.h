#pragma once
// Membership counters for metrics and debugging. Plain integers written only by the core's
// thread; exporters read them on the same io_context.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "speaker/membership/message.h"

namespace ironlb::membership {

enum class RejectReason : uint8_t {
  kMalformed,
  kUnknownKey,
  kBadMac,
  kWrongDestination,  // signed for another member (or a replay to us of someone else's packet)
  kUnknownSender,     // not in the expected member list
  kFromSelf,
  kReplay,
  kStaleIncarnation,
  kAfterLeave,  // we have left; nothing is processed any more
  // Source address is no member's endpoint: dropped before the HMAC is computed.
  kUnknownSource,
  kWrongSource,        // authenticated, but not from the endpoint listed for its sender
  kFutureIncarnation,  // the sender's own incarnation is beyond our clock + 2 x margin
  kUnsealed,           // a version-1 packet while requireSealed
};
inline constexpr std::size_t kRejectReasonCount = 13;
std::string_view rejectReasonName(RejectReason reason);

struct Counters {
  std::array<uint64_t, kMessageTypeSlots> sent{};
  std::array<uint64_t, kMessageTypeSlots> received{};  // accepted (authenticated, fresh)
  std::array<uint64_t, kRejectReasonCount> rejected{};
  uint64_t bytesSent = 0;
  uint64_t bytesReceived = 0;
  uint64_t suspicions = 0;         // suspicions we raised as a monitor
  uint64_t suspicionsCleared = 0;  // ... that ended because the member answered
  uint64_t deathsDeclared = 0;     // deaths we declared as a monitor
  uint64_t deathsLearned = 0;      // deaths we learned from others
  uint64_t leavesLearned = 0;
  uint64_t refutations = 0;       // we bumped our incarnation to contradict a claim about us
  uint64_t indirectRequests = 0;  // ping-reqs we sent
  uint64_t indirectServed = 0;    // ping-reqs we handled as a helper
  uint64_t indirectDropped = 0;   // ping-reqs dropped because our helper table was full
  uint64_t syncsStarted = 0;
  uint64_t syncsAnswered = 0;
  uint64_t corrections = 0;     // contrary views we sent to a member
  uint64_t unknownUpdates = 0;  // updates about ids not in our member list
  uint64_t stalls = 0;          // local stalls detected (late timers)
  uint64_t isolations = 0;      // times we found ourselves cut off
  uint64_t futureClaims = 0;    // claims about others/us beyond our clock + margin, ignored
  uint64_t foreignLeaves = 0;   // "left" claims about a member from another: taken as dead
  uint64_t unmatchedAcks = 0;   // acks to no ping of ours in flight: no evidence of life
  uint64_t staleVerdicts = 0;   // death verdicts dropped: the member has a newer incarnation
  uint64_t sealedSent = 0;      // messages we sent sealed (version 2)
  uint64_t sealedReceived = 0;  // ... and accepted
};

}  // namespace ironlb::membership
