// Stable names for counters and events (metric labels, logs).

#include "speaker/membership/counters.h"
#include "speaker/membership/events.h"

namespace ironlb::membership {

std::string_view rejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kMalformed:
      return "malformed";
    case RejectReason::kUnknownKey:
      return "unknown_key";
    case RejectReason::kBadMac:
      return "bad_mac";
    case RejectReason::kWrongDestination:
      return "wrong_destination";
    case RejectReason::kUnknownSender:
      return "unknown_sender";
    case RejectReason::kFromSelf:
      return "from_self";
    case RejectReason::kReplay:
      return "replay";
    case RejectReason::kStaleIncarnation:
      return "stale_incarnation";
    case RejectReason::kAfterLeave:
      return "after_leave";
    case RejectReason::kUnknownSource:
      return "unknown_source";
    case RejectReason::kWrongSource:
      return "wrong_source";
    case RejectReason::kFutureIncarnation:
      return "future_incarnation";
    case RejectReason::kUnsealed:
      return "unsealed";
  }
  return "invalid";
}

std::string_view eventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kMemberChanged:
      return "member_changed";
    case EventKind::kMemberAdded:
      return "member_added";
    case EventKind::kMemberRemoved:
      return "member_removed";
    case EventKind::kLiveSetChanged:
      return "live_set_changed";
    case EventKind::kSuspected:
      return "suspected";
    case EventKind::kSuspicionCleared:
      return "suspicion_cleared";
    case EventKind::kIsolated:
      return "isolated";
    case EventKind::kRecovered:
      return "recovered";
    case EventKind::kSynced:
      return "synced";
    case EventKind::kLeaveDone:
      return "leave_done";
  }
  return "invalid";
}

}  // namespace ironlb::membership
