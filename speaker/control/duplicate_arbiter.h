#pragma once
// DuplicateArbiter: what to do when another MAC claims an IP this node announces. Pure: time
// is passed in; the daemon executes the verdicts.
//
// Duplicate-owner reports come from the packet path, so the first job is to bound the work:
// at most one report per IP per `window` is acted on (the rest are only counted), and at most
// `maxTracked` IPs are remembered.
//
// Resolution:
//  - A conflict between speakers normally means their cluster views differ for a moment (a
//    partition healing, a node restarting, a hand-over whose old owner learns of it a moment
//    after the new one): membership converges within a probe round and the node that should
//    not own the IP stops answering by itself. Meanwhile the rightful owner re-announces (a
//    fresh gratuitous burst, at most once per window) so clients that cached the other MAC
//    come back at once. That is not worth an alarm: the operator is told (`alarm`) only when
//    the other MAC still claims the IP in a later window of the episode — a real overlap in
//    time of two answering MACs, not a hand-over's last packet. (A foreign device claiming
//    the IP once every few minutes therefore only shows in the "seen" counter and at debug
//    level; the link-flap e2e used to raise 117 warnings over 40 flaps from hand-overs.)
//  - If the conflict persists (`persistentWindows` windows within `persistence`), the views do
//    not converge (e.g. membership traffic blocked between nodes that share the L2 segment).
//    Between two speakers both sides apply one rule that needs no communication: the claimant
//    with the numerically higher MAC yields the IP (stops answering it) for `yieldFor`, or
//    until the live set changes, so they settle on exactly one owner.
//  - The tie-break applies only when the other MAC belongs to a speaker: one the membership
//    learnt over its authenticated channel (`otherIsSpeaker`). Against any other MAC — a
//    foreign device, or an attacker forging ARP replies / NAs with a low MAC — the speaker
//    never yields: it keeps defending (a gratuitous refresh per window) and tells the operator
//    (`foreign`). Before, three unauthenticated claims a second apart silenced a VIP for five
//    minutes, renewable at will (docs/duplicate-owner.md).
//  - A DAD probe for an announced IP (a host wants to configure our VIP) is only reported: the
//    responder already defended the address.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/net/ip_address.h"
#include "common/net/mac_address.h"
#include "common/util/clock.h"

namespace ironlb::control {

using SteadyDuration = std::chrono::steady_clock::duration;

struct DuplicateArbiterConfig {
  SteadyDuration window = std::chrono::seconds(1);
  int alarmWindows = 2;  // windows in an episode before the operator is told
  int persistentWindows = 3;
  SteadyDuration persistence = std::chrono::seconds(10);
  SteadyDuration yieldFor = std::chrono::minutes(5);
  std::size_t maxTracked = 4096;
};

struct DuplicateReport {
  net::IpAddress ip;
  net::MacAddress ourMac;
  net::MacAddress otherMac;  // zero for DAD probes
  bool dadProbe = false;
  // otherMac is an announcing MAC of a peer speaker (learnt over authenticated membership).
  bool otherIsSpeaker = false;
};

struct DuplicateVerdict {
  enum class Action {
    kIgnore,      // rate-limited: already handled in this window
    kReannounce,  // keep the IP, send a fresh gratuitous burst
    kYield,       // stop answering the IP (until yieldUntil or the live set changes)
    kReportDad,   // a DAD probe for our IP: report only
  };
  Action action = Action::kIgnore;
  // Tell the operator now (Event, warning): a DAD probe, the first report of an episode
  // that has lasted beyond its first window, or a yield.
  bool alarm = false;
  int windows = 0;       // windows with conflict in this episode so far
  bool foreign = false;  // the other MAC is not a speaker's: never yielded to
  util::MonoTime yieldUntil{};
};

class DuplicateArbiter {
 public:
  explicit DuplicateArbiter(DuplicateArbiterConfig config = {}) : config_(config) {}

  DuplicateVerdict onReport(const DuplicateReport& report, util::MonoTime now);
  // IPs this node must not answer for at `now` (expired yields are dropped).
  std::set<net::IpAddress> yielded(util::MonoTime now);
  // When the next yield expires (the daemon re-plans then).
  std::optional<util::MonoTime> nextExpiry() const;
  // The cluster view changed: conflicts may have resolved; forget episodes and yields.
  void viewChanged();
  // This node just became the owner of `ip` (the plan changed, e.g. endpoints moved): the
  // previous owner's last announcements are still on the wire for a moment. That overlap is
  // the hand-over, not a conflict, so an episode (and a yield) from before starts afresh;
  // otherwise three quick hand-overs within `persistence` read as a persistent conflict and
  // the new owner fell silent for `yieldFor`.
  void ownershipTaken(const net::IpAddress& ip);
  std::size_t tracked() const { return states_.size(); }

 private:
  struct State {
    std::optional<util::MonoTime> lastActed;
    util::MonoTime episodeStart{};
    int windows = 0;
    bool alarmed = false;  // this episode was reported to the operator
    std::optional<util::MonoTime> yieldUntil;
  };
  State* track(const net::IpAddress& ip, util::MonoTime now);

  DuplicateArbiterConfig config_;
  std::map<net::IpAddress, State> states_;
};

// Where a reported conflict happened, in the operator's words.
struct DuplicateContext {
  std::string ip;
  std::string interface;  // the link name (or its index)
  std::string otherMac;
  std::string node;  // this node
  std::string peer;  // the peer speaker announcing otherMac; empty when foreign
  uint16_t memberPort = 0;
};

// The warning (log and Service Events) for a verdict the operator is told about: kReportDad,
// kYield, and kReannounce with alarm. What it means and what to check.
std::string describe(const DuplicateVerdict& verdict, const DuplicateContext& where);

}  // namespace ironlb::control
