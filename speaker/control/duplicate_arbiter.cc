// DuplicateArbiter: rate limiting, episodes and the MAC tie-break.
#include "speaker/control/duplicate_arbiter.h"

namespace ironlb::control {

DuplicateArbiter::State* DuplicateArbiter::track(const net::IpAddress& ip, util::MonoTime now) {
  auto it = states_.find(ip);
  if (it != states_.end()) return &it->second;
  if (states_.size() >= config_.maxTracked) {
    // Forget the entry acted on longest ago that holds no yield; if every entry holds a yield,
    // this report is dropped (the table stays bounded).
    auto victim = states_.end();
    for (auto s = states_.begin(); s != states_.end(); ++s) {
      if (s->second.yieldUntil && *s->second.yieldUntil > now) continue;
      if (victim == states_.end() || s->second.lastActed < victim->second.lastActed) victim = s;
    }
    if (victim == states_.end()) return nullptr;
    states_.erase(victim);
  }
  return &states_[ip];
}

DuplicateVerdict DuplicateArbiter::onReport(const DuplicateReport& report, util::MonoTime now) {
  DuplicateVerdict v;
  State* s = track(report.ip, now);
  if (s == nullptr) return v;
  if (s->yieldUntil && *s->yieldUntil > now) return v;  // already yielded
  if (s->lastActed && now - *s->lastActed < config_.window) return v;
  s->lastActed = now;
  if (report.dadProbe) {
    v.action = DuplicateVerdict::Action::kReportDad;
    v.alarm = true;
    return v;
  }
  if (s->windows == 0 || now - s->episodeStart > config_.persistence) {
    s->episodeStart = now;
    s->windows = 0;
    s->alarmed = false;
    s->yieldUntil.reset();
  }
  ++s->windows;
  v.windows = s->windows;
  v.foreign = !report.otherIsSpeaker;
  if (s->windows >= config_.alarmWindows && !s->alarmed) {
    s->alarmed = true;
    v.alarm = true;
  }
  if (report.otherIsSpeaker && s->windows >= config_.persistentWindows &&
      report.otherMac < report.ourMac) {
    s->yieldUntil = now + config_.yieldFor;
    v.action = DuplicateVerdict::Action::kYield;
    v.yieldUntil = *s->yieldUntil;
    v.alarm = true;
    return v;
  }
  v.action = DuplicateVerdict::Action::kReannounce;
  return v;
}

std::set<net::IpAddress> DuplicateArbiter::yielded(util::MonoTime now) {
  std::set<net::IpAddress> out;
  for (auto it = states_.begin(); it != states_.end();) {
    State& s = it->second;
    if (s.yieldUntil && *s.yieldUntil <= now) {
      it = states_.erase(it);  // a fresh episode starts if the conflict comes back
      continue;
    }
    if (s.yieldUntil) out.insert(it->first);
    ++it;
  }
  return out;
}

std::optional<util::MonoTime> DuplicateArbiter::nextExpiry() const {
  std::optional<util::MonoTime> next;
  for (const auto& [ip, s] : states_)
    if (s.yieldUntil && (!next || *s.yieldUntil < *next)) next = s.yieldUntil;
  return next;
}

void DuplicateArbiter::viewChanged() {
  states_.clear();
}

void DuplicateArbiter::ownershipTaken(const net::IpAddress& ip) {
  states_.erase(ip);
}

std::string describe(const DuplicateVerdict& verdict, const DuplicateContext& c) {
  using Action = DuplicateVerdict::Action;
  switch (verdict.action) {
    case Action::kReportDad:
      return "a host probed (IPv6 DAD) for " + c.ip + " on " + c.interface +
             ", which this node announces: the address was defended; check that no host is "
             "configured with this LB IP";
    case Action::kReannounce:
      if (verdict.foreign) {
        return "another device (MAC " + c.otherMac + ") keeps claiming " + c.ip + " on " +
               c.interface + " (for more than a second), which node " + c.node +
               " owns. The MAC is no speaker's (none announced it over membership): node " +
               c.node +
               " keeps answering and re-announcing. A host outside ironlb uses the IP, or a "
               "device on the segment forges ARP replies / neighbour advertisements";
      }
      return "another device (MAC " + c.otherMac + ", speaker " + c.peer + ") keeps claiming " +
             c.ip + " on " + c.interface + " (for more than a second), " + "which node " + c.node +
             " owns: re-announcing. Membership traffic (UDP " + std::to_string(c.memberPort) +
             ") between speakers may be blocked";
    case Action::kYield:
      return "another device (MAC " + c.otherMac + ") keeps claiming " + c.ip + " on " +
             c.interface + "; its MAC is lower, so node " + c.node +
             " stops answering for the IP until the cluster view changes";
    case Action::kIgnore:
      break;
  }
  return {};
}

}  // namespace ironlb::control
