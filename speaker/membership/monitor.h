#pragma once
// The failure detector of one member: which peers it monitors and how.
//
// Members sit on a ring ordered by id. Each reachable member is monitored by its k reachable
// successors, so we monitor our k reachable predecessors ("targets"): every probeInterval each
// target gets a ping; a fresh ack from it counts as an answer. After suspectAfterMisses
// probe intervals in a row without an answer we suspect it (locally, not disseminated) and ask
// helpers (its other monitors first, then random members) to probe it for us. Death needs
// votesToConfirm helpers to report it unreachable while we still hear nothing; one helper
// reaching it clears the suspicion. A member that hears nobody gets no votes, so it cannot
// declare anybody dead that way.
//
// Without any possible helper there are two cases. The target is our only reachable peer (a
// two-member cluster, or the last two standing): nobody else could ever vote, so we act as its
// helper ourselves — one more ping helperRetry after the suspicion, death at helperTimeout —
// the same evidence and the same time as with one helper. Or other members exist but we
// suspect them all (we may be the one cut off, or the last survivor): death only after
// soloDeathMisses. The owner can withhold every verdict (setVerdicts(false)) while it knows it
// is cut off itself.
//
// Dead, left and never-seen members are "revival" targets of their k reachable successors,
// probed slowly so a member that returns (partition heal, restart whose join was lost) learns
// it was declared dead and refutes. During start-up everybody unknown is probed often.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "speaker/membership/config.h"
#include "speaker/membership/member_table.h"
#include "speaker/membership/protocol_sink.h"
#include "speaker/membership/rng.h"

namespace ironlb::membership {

class Monitor {
 public:
  static constexpr std::size_t kMaxAsked = 12;

  struct Target {
    MemberId id = 0;
    util::MonoTime nextProbeAt{};
    util::MonoTime lastProbeAt{};
    util::MonoTime lastHeard{};
    bool probed = false;
    int misses = 0;
    bool suspect = false;
    util::MonoTime suspectSince{};
    uint64_t suspectIncarnation = 0;  // the incarnation the evidence is about
    uint64_t requestId = 0;
    util::MonoTime nextIndirectAt{};
    int needed = 0;  // votes that confirm; 0 = no helper exists (solo rules)
    int votes = 0;
    // Our only reachable peer: we are its helper (extra probe, then death at the deadline).
    bool solo = false;
    util::MonoTime soloProbeAt = util::MonoTime::max();
    util::MonoTime soloDeadline = util::MonoTime::max();
    std::array<MemberId, kMaxAsked> asked{};
    std::array<bool, kMaxAsked> voted{};
    std::size_t askedCount = 0;
  };

  Monitor(const Timers& timers, Rng& rng);

  // Recomputes targets and revival targets from the table (after the reachable set or the
  // member list changed). `startup` probes every unknown member often.
  void rebuild(const MemberTable& table, util::MonoTime now, bool startup);
  void onTimer(const MemberTable& table, util::MonoTime now, ProtocolSink& sink);
  // A fresh ack from `id` (it heard us and reached us).
  void onHeard(MemberId id, util::MonoTime now, ProtocolSink& sink);
  void onIndirectResult(MemberId helper, MemberId target, uint64_t requestId, bool reachable,
                        ProtocolSink& sink);
  // Our own process stalled (timers ran late), or our link was down: misses during that time
  // are not evidence.
  void onStall(util::MonoTime now);
  // False while we know we are cut off ourselves: no death verdicts (probing goes on).
  void setVerdicts(bool allowed) { verdicts_ = allowed; }
  util::MonoTime nextWakeup() const;

  const Target* target(MemberId id) const;
  std::size_t targetCount() const { return targets_.size(); }
  std::size_t stateBytes() const;

 private:
  struct Revival {
    MemberId id = 0;
    util::MonoTime nextAt{};
  };

  void probeRound(const MemberTable& table, Target& t, util::MonoTime now, ProtocolSink& sink);
  void askHelpers(const MemberTable& table, Target& t, util::MonoTime now, ProtocolSink& sink);
  void soloStep(const MemberTable& table, Target& t, util::MonoTime now, ProtocolSink& sink);
  void clearSuspicion(Target& t, ProtocolSink& sink);
  void declare(Target& t, ProtocolSink& sink);
  Target* findTarget(MemberId id);

  const Timers& timers_;
  Rng& rng_;
  std::vector<Target> targets_;
  std::vector<Revival> revival_;
  util::MonoTime nextRevival_ = util::MonoTime::max();
  bool startup_ = false;
  bool verdicts_ = true;
  uint64_t nextRequestId_ = 1;
};

}  // namespace ironlb::membership
