#pragma once
// What the membership core tells its owner. Events are rare (state changes), so they may carry
// names by value.

#include <cstdint>
#include <string>

#include "speaker/membership/types.h"

namespace ironlb::membership {

enum class EventKind : uint8_t {
  kMemberChanged,   // a member's status changed (name, from, to, incarnation)
  kMemberAdded,     // expected member added (status unknown until heard)
  kMemberRemoved,   // expected member removed
  kLiveSetChanged,  // liveMembers() differs from before
  kSuspected,       // we (a monitor) suspect the member; not disseminated
  kSuspicionCleared,
  kIsolated,   // we hear nobody although peers should talk to us: we are not a candidate
  kRecovered,  // we hear peers again
  kSynced,     // start-up: every member heard of, or the start-up window ended
  kLeaveDone,  // the last goodbye was sent; the daemon may exit
};
std::string_view eventKindName(EventKind kind);

struct Event {
  EventKind kind = EventKind::kLiveSetChanged;
  util::MonoTime at{};
  std::string member;  // empty for events about ourselves or the whole set
  MemberStatus from = MemberStatus::kUnknown;
  MemberStatus to = MemberStatus::kUnknown;
  uint64_t incarnation = 0;
};

}  // namespace ironlb::membership
