#pragma once
// Membership: the pure protocol core that decides which speakers are alive.
//
// Inputs are data and the current time: packets received, timer expiry, the expected member
// list, the keys, and the local decisions (withdraw, leave). Outputs are data: packets to send
// (outbox()), events (events()), the next time it wants to be woken (nextWakeup()), and its
// state (liveMembers(), members(), counters()). No sockets, no clock reads, no threads; the
// randomness comes from Config::randomSeed. README.md beside this file gives the design and
// its numbers.
//
// Typical use by a driver: after every call, send each outbox() packet, deliver events(), then
// clearOutputs() and re-arm the timer to nextWakeup().

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "speaker/membership/config.h"
#include "speaker/membership/counters.h"
#include "speaker/membership/crypto.h"
#include "speaker/membership/events.h"
#include "speaker/membership/helper_duty.h"
#include "speaker/membership/member_table.h"
#include "speaker/membership/message.h"
#include "speaker/membership/monitor.h"
#include "speaker/membership/outbox.h"
#include "speaker/membership/piggyback.h"
#include "speaker/membership/protocol_sink.h"
#include "speaker/membership/rng.h"

namespace ironlb::membership {

// One member as we see it, for debugging (`/debug/membership`, logs, tests).
struct MemberInfo {
  std::string name;
  MemberId id = 0;
  Endpoint endpoint;
  MemberStatus status = MemberStatus::kUnknown;
  uint64_t incarnation = 0;
  bool self = false;
  bool live = false;       // in liveMembers()
  bool monitored = false;  // we are one of its monitors
  bool suspect = false;    // we suspect it (local; not disseminated)
  int misses = 0;          // consecutive unanswered probe intervals (monitored members)
  std::optional<Duration> sinceHeard;
};

class Membership final : private ProtocolSink {
 public:
  // `members` may include ourselves (matched by name; our endpoint comes from the config).
  // The first key signs; all verify.
  static Result<std::unique_ptr<Membership>> create(const Config& config,
                                                    std::span<const MemberSpec> members,
                                                    std::span<const std::vector<uint8_t>> keys);
  Membership(const Membership&) = delete;
  Membership& operator=(const Membership&) = delete;
  ~Membership() = default;

  // --- inputs ---
  // Joins: probes every expected member at once and keeps probing unknown ones during the
  // start-up window.
  void start(util::MonoTime now);
  // One received datagram from `source` (address and port). Never throws, never allocates in
  // the steady state. Datagrams from no member's endpoint are dropped before the HMAC; an
  // authenticated one must come from the endpoint listed for its sender.
  void onPacket(std::span<const uint8_t> packet, const Endpoint& source, util::MonoTime now);
  void onTimer(util::MonoTime now);
  // New expected list from Kubernetes. Members that stay keep their state.
  Status setMembers(std::span<const MemberSpec> members, util::MonoTime now);
  // Rotation: pass [current, next] then [next, current] then [next].
  Status setKeys(std::span<const std::vector<uint8_t>> keys);
  // Local withdrawal (e.g. carrier lost on every announced interface): we stay a member but
  // not a candidate; peers learn it like a leave. Reversible.
  void setWithdrawn(bool withdrawn, util::MonoTime now);
  // The link our membership traffic uses lost (false) or regained (true) carrier. Down, we
  // know we are the one cut off: we are not a candidate and declare nobody dead (peers'
  // silence is our fault). Back up, we rejoin like at start: a new incarnation, a probe to
  // every member, and until every member we believe reachable has answered with our new
  // incarnation (or timers.linkSettle passes) we are not a candidate and declare nobody dead.
  // Peers took our IPs meanwhile: each must have heard of us before we answer again.
  void setLinkUp(bool up, util::MonoTime now);
  // The MACs this node answers ARP/NDP from (announcing interfaces). Sent to every member over
  // the authenticated channel, so peers can tell this speaker from a foreign device claiming
  // the same IP (docs/duplicate-owner.md). At most kMaxMacs are kept.
  void setLocalMacs(std::span<const LinkMac> macs, util::MonoTime now);
  // Graceful stop: tells every member now, repeats a few times, then emits kLeaveDone. After
  // leave() nothing else is processed.
  void leave(util::MonoTime now);

  // --- outputs ---
  util::MonoTime nextWakeup() const;
  const Outbox& outbox() const { return outbox_; }
  std::span<const Event> events() const { return events_; }
  void clearOutputs();

  // --- state ---
  // Names of members that are candidates: alive (not withdrawn, dead, left or unknown). We are
  // in it only when we are alive, not isolated, our link is up, and peers have acknowledged
  // our incarnation.
  const std::vector<std::string>& liveMembers() const { return live_; }
  // Start-up is over: every member heard of, and every reachable one has answered with our
  // incarnation (so the first live set the daemon acts on counts us in, and every owner we
  // take IPs from knows we exist), or the start-up window ended.
  bool synced() const { return synced_; }
  bool isolated() const { return isolated_; }
  bool leaving() const { return leaving_; }
  uint64_t incarnation() const { return table_.self().incarnation; }
  std::vector<MemberInfo> members(util::MonoTime now) const;
  // The expected member (not ourselves) that told us it announces from `mac`, or nullptr.
  // Binary search; allocates nothing.
  const std::string* memberOfMac(const LinkMac& mac) const;
  const Counters& counters() const { return counters_; }
  std::size_t memberCount() const { return table_.size(); }
  std::size_t stateBytes() const;

 private:
  Membership(const Config& config, KeyRing keys);

  // ProtocolSink (the monitor and helper duties act through these).
  void probe(MemberId target) override;
  void askHelper(MemberId helper, MemberId target, uint64_t requestId) override;
  void indirectResult(MemberId requester, MemberId target, uint64_t requestId,
                      bool reachable) override;
  bool declareDead(MemberId target, uint64_t incarnation) override;
  void suspicionChanged(MemberId target, bool suspect) override;

  // Receive path: admit (authenticate and check the sender; nullptr when rejected), note that
  // the sender was heard, apply the claims it carries, match an ack to our ping, answer it, and
  // compare its digest with ours (anti-entropy).
  MemberEntry* admit(std::span<const uint8_t> packet, const Endpoint& source, util::MonoTime now,
                     uint8_t* version);
  void noteHeard(MemberEntry& from, uint8_t version, util::MonoTime now);
  void applyClaims(MemberEntry& from, util::MonoTime now);
  bool matchAck(MemberEntry& from);
  void respond(MemberEntry& from, util::MonoTime now);
  void compareDigest(MemberId from, util::MonoTime now);
  void reject(RejectReason reason) { ++counters_.rejected[static_cast<std::size_t>(reason)]; }
  void apply(MemberEntry& entry, uint64_t incarnation, MemberStatus status, util::MonoTime now);
  // Wall-clock milliseconds now, as the bound of acceptable incarnations (docs/membership.md).
  uint64_t wallMs(util::MonoTime now) const;
  uint64_t othersBound(util::MonoTime now) const;  // claims about a member by another
  uint64_t selfBound(util::MonoTime now) const;    // a member's claims about itself
  void claimAboutSelf(uint64_t incarnation, MemberStatus status, bool directView,
                      util::MonoTime now);
  void answerSync(MemberEntry& from, util::MonoTime now);
  void maybeCorrect(MemberEntry& to, util::MonoTime now);

  // Send path.
  Message& begin(MessageType type, MemberEntry& to);
  void finish(MemberEntry& to, bool piggyback);
  void sendNotice(MemberEntry& to, std::span<const Update> updates);
  // Our (incarnation, status) to every member: notices, or while joining (start-up, rejoin)
  // probes, whose answers show who has heard of us.
  void announceSelf();
  bool joining() const { return rejoining_ || (started_ && !synced_); }
  // We know we are cut off (link down, or back up and not every peer has heard of us yet): no
  // death verdicts.
  bool cutOff() const { return !linkUp_ || rejoining_; }
  bool everyoneEchoed() const;  // every reachable member has shown us our current state
  void endRejoin(util::MonoTime now, bool echoed);
  void sendView(MemberEntry& to, bool askBack);
  void sendMacs(MemberEntry& to);
  void learnMacs(MemberEntry& from);
  void rebuildMacIndex();

  void emit(EventKind kind, util::MonoTime now, std::string member = {},
            MemberStatus from = MemberStatus::kUnknown, MemberStatus to = MemberStatus::kUnknown,
            uint64_t incarnation = 0);
  int piggybackBudget() const;
  bool inStartup(util::MonoTime now) const {
    return started_ && now < startedAt_ + timers_.startupWindow;
  }
  bool selfLive() const;
  bool selfConfirmed() const;
  bool isolationPossible() const;
  void markRingDirty(util::MonoTime now);
  void rebuildRing(util::MonoTime now);
  void setLive(const std::string& name, bool live);
  void rebuildLive();
  void settle(util::MonoTime now);  // derived state and events after any input
  void sendGoodbye(util::MonoTime now);

  Config config_;
  const Timers& timers_;
  KeyRing keys_;
  MemberTable table_;
  Rng rng_;
  Monitor monitor_;
  HelperDuty helpers_;
  Piggyback piggyback_;
  Outbox outbox_;
  std::vector<Event> events_;
  Counters counters_;
  Message rx_;
  Message tx_;

  std::vector<std::string> live_;
  uint64_t sequence_ = 0;  // messages sent by this process (all destinations)
  bool started_ = false;
  util::MonoTime startedAt_{};
  bool startupOver_ = false;
  bool synced_ = false;
  bool confirmed_ = false;  // a peer has echoed our current incarnation back to us
  bool isolated_ = false;
  util::MonoTime lastReceive_{};
  bool linkUp_ = true;
  bool rejoining_ = false;  // link back up, not every reachable member has heard of us yet
  util::MonoTime linkUpAt_{};
  util::MonoTime nextRejoinProbe_ = util::MonoTime::max();
  bool leaving_ = false;
  int goodbyesLeft_ = 0;
  util::MonoTime nextGoodbye_ = util::MonoTime::max();
  util::MonoTime now_{};    // time of the input being handled (for ProtocolSink calls)
  bool declaring_ = false;  // the death being applied is our own verdict
  bool ringDirty_ = true;
  util::MonoTime ringDirtySince_{};
  bool liveChanged_ = false;
  bool selfInLive_ = false;
  // Anti-entropy: how long peers' digests have disagreed with ours.
  bool mismatch_ = false;
  util::MonoTime mismatchSince_{};
  MemberId mismatchPeer_ = 0;
  util::MonoTime nextSyncAllowed_{};
  // Announcing MACs: ours are set (setLocalMacs was called); round-robin refresh position.
  bool macsSet_ = false;
  util::MonoTime nextMacRefresh_ = util::MonoTime::max();
  std::size_t macCursor_ = 0;
  std::vector<std::pair<LinkMac, MemberId>> macIndex_;  // sorted; other members' MACs
  Nonce nonceBase_{};  // random per process; XOR the message counter (sequence_)
};

}  // namespace ironlb::membership
