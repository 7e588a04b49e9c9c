#pragma once
// The expected members and what we know about each: disseminated status and incarnation (the
// state every member converges on), replay window, and when we last heard from it. Also keeps
// the ring order (by member id) the monitor assignment is drawn from, and an incremental
// digest of the disseminated view that peers compare to detect divergence.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/util/result.h"
#include "speaker/membership/replay_window.h"
#include "speaker/membership/types.h"

namespace ironlb::membership {

struct MemberEntry {
  std::string name;
  MemberId id = 0;
  Endpoint endpoint;
  uint64_t incarnation = 0;
  MemberStatus status = MemberStatus::kUnknown;
  ReplayWindow replay;         // what we accepted from it
  uint64_t txSequence = 0;     // last sequence we sent to it (per destination, so its window
                               // sees a dense sequence however many others we talk to)
  util::MonoTime lastHeard{};  // last fresh, authenticated message from this member
  bool heard = false;
  // Our own (incarnation, status) as this member last showed it to us in a message it sent
  // us: whether it has heard of our current state (see Membership: joining).
  uint64_t echoedIncarnation = 0;
  MemberStatus echoedStatus = MemberStatus::kUnknown;
  util::MonoTime lastCorrection{};  // rate limits for answers we volunteer
  bool corrected = false;
  util::MonoTime lastSyncReply{};
  bool syncReplied = false;
  // The MACs it announces from, as it last told us (kMacs; docs/duplicate-owner.md). Kept
  // while it is an expected member, also while we believe it dead: a speaker cut off from
  // membership but still on the segment is still a speaker.
  std::array<LinkMac, kMaxMacs> macs{};
  uint8_t macCount = 0;
  // Sequences of our last pings to it: an ack counts only if it answers one of them (once).
  static constexpr std::size_t kPingsInFlight = 8;
  std::array<uint64_t, kPingsInFlight> pings{};
  uint8_t nextPing = 0;
  // Highest incarnation it sent us sealed (version 2) and unsealed: we seal to it while its
  // sealing process is at least as new as its last unsealed one (an older version restarted
  // in its place cannot read sealed packets).
  uint64_t sealedIncarnation = 0;
  uint64_t unsealedIncarnation = 0;
};

// True when (inc, s) supersedes (curInc, cur): a higher incarnation, or the same incarnation
// with a status of higher precedence.
constexpr bool supersedes(uint64_t inc, MemberStatus s, uint64_t curInc, MemberStatus cur) {
  return inc != curInc ? inc > curInc : static_cast<uint8_t>(s) > static_cast<uint8_t>(cur);
}

class MemberTable {
 public:
  MemberTable(MemberSpec self, uint64_t selfIncarnation);

  // Checks a new expected list: names valid and unique, endpoints usable, no id collisions.
  Status validate(std::span<const MemberSpec> specs) const;
  struct Change {
    std::vector<std::string> added;
    std::vector<std::string> removed;
  };
  // Replaces the expected set, keeping the state of members that stay. The local member is
  // always kept (a list without it still leaves us a member of our own view). Call validate()
  // first. Invalidates MemberEntry pointers and references.
  Change replace(std::span<const MemberSpec> specs);

  MemberEntry* find(MemberId id);
  const MemberEntry* find(MemberId id) const;
  MemberEntry& self() { return entries_[self_]; }
  const MemberEntry& self() const { return entries_[self_]; }
  std::span<MemberEntry> entries() { return entries_; }
  std::span<const MemberEntry> entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }

  // The only way to change status/incarnation, so the digest stays exact.
  void set(MemberEntry& entry, uint64_t incarnation, MemberStatus status);
  uint64_t digest() const { return digest_; }
  std::size_t reachableOthers() const { return reachableOthers_; }
  // `entry` has shown us our current incarnation and status.
  bool echoesSelf(const MemberEntry& entry) const {
    return entry.echoedIncarnation == self().incarnation && entry.echoedStatus == self().status;
  }
  std::size_t unknownCount() const { return unknown_; }

  // Visits members in ring order starting after `from` (forward) or before it (backward),
  // wrapping, never visiting `from` itself. `visit(const MemberEntry&)` returns false to stop.
  template <class F>
  void walk(MemberId from, bool forward, F&& visit) const {
    const std::size_t n = ring_.size();
    const std::size_t start = ringPosition(from);
    for (std::size_t step = 1; step < n; ++step) {
      const std::size_t pos = forward ? (start + step) % n : (start + n - step) % n;
      if (!visit(entries_[ring_[pos]])) return;
    }
  }

  // Whether a datagram from `source` can be from a member (ourselves included): sorted
  // endpoints, binary search, no allocation.
  bool isMemberEndpoint(const Endpoint& source) const;

  // Approximate heap + inline bytes held (for the "state per node" figure).
  std::size_t stateBytes() const;

 private:
  static uint64_t contribution(MemberId id, uint64_t incarnation, MemberStatus status);
  void rebuildIndex();
  std::size_t ringPosition(MemberId id) const;

  std::vector<MemberEntry> entries_;
  std::unordered_map<MemberId, uint32_t> index_;
  std::vector<uint32_t> ring_;                                  // entry indices sorted by id
  std::vector<std::pair<net::IpAddress, uint16_t>> endpoints_;  // sorted
  std::size_t self_ = 0;
  uint64_t digest_ = 0;
  std::size_t reachableOthers_ = 0;
  std::size_t unknown_ = 0;  // members never heard of
};

}  // namespace ironlb::membership
