// Ring monitoring with suspicion and indirect confirmation (see monitor.h).

#include "speaker/membership/monitor.h"

#include <algorithm>

namespace ironlb::membership {

Monitor::Monitor(const Timers& timers, Rng& rng) : timers_(timers), rng_(rng) {
  targets_.reserve(static_cast<std::size_t>(timers.monitors));
}

void Monitor::rebuild(const MemberTable& table, util::MonoTime now, bool startup) {
  const MemberId self = table.self().id;
  const int k = timers_.monitors;
  std::vector<Target> next;
  next.reserve(static_cast<std::size_t>(k));
  std::vector<Revival> revival;
  std::vector<Revival> old = std::move(revival_);
  std::sort(old.begin(), old.end(), [](const Revival& a, const Revival& b) { return a.id < b.id; });
  auto addRevival = [&](MemberId id) {
    auto it = std::lower_bound(old.begin(), old.end(), id,
                               [](const Revival& r, MemberId v) { return r.id < v; });
    if (it != old.end() && it->id == id && it->nextAt <= now + timers_.revivalInterval) {
      revival.push_back(*it);
    } else {
      const auto phase =
          Duration(rng_.below(static_cast<uint64_t>(timers_.revivalInterval.count())));
      revival.push_back(Revival{id, now + phase});
    }
  };

  // Walking backwards from us: reachable members are our targets until we have k of them; the
  // unreachable members passed on the way have us among their k reachable successors.
  int reachable = 0;
  table.walk(self, /*forward=*/false, [&](const MemberEntry& e) {
    if (isReachable(e.status)) {
      if (Target* prev = findTarget(e.id); prev != nullptr) {
        next.push_back(*prev);
      } else {
        Target t;
        t.id = e.id;
        t.nextProbeAt =
            now + Duration(rng_.below(static_cast<uint64_t>(timers_.probeInterval.count())));
        t.lastHeard = now;
        next.push_back(t);
      }
      return ++reachable < k;
    }
    if (!startup) addRevival(e.id);
    return true;
  });
  if (startup) {
    // Join: everybody unknown at the start is probed at once and then often until heard of
    // (the list is built once; probes skip members heard of since).
    if (startup_) {
      revival = std::move(old);
    } else {
      for (const auto& e : table.entries()) {
        if (e.id != self && e.status == MemberStatus::kUnknown) revival.push_back({e.id, now});
      }
    }
  }
  // Suspicions of members that are no longer our targets end silently: their new monitors take
  // over, and a suspicion was never disseminated.
  targets_ = std::move(next);
  revival_ = std::move(revival);
  startup_ = startup;
  nextRevival_ = util::MonoTime::max();
  for (const auto& r : revival_)
    nextRevival_ = std::min(nextRevival_, r.nextAt);
}

Monitor::Target* Monitor::findTarget(MemberId id) {
  for (auto& t : targets_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const Monitor::Target* Monitor::target(MemberId id) const {
  for (const auto& t : targets_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

void Monitor::onTimer(const MemberTable& table, util::MonoTime now, ProtocolSink& sink) {
  for (auto& t : targets_) {
    if (now >= t.nextProbeAt) probeRound(table, t, now, sink);
    if (t.suspect && t.solo) soloStep(table, t, now, sink);
    if (t.suspect && t.needed > 0 && t.votes < t.needed && now >= t.nextIndirectAt) {
      askHelpers(table, t, now, sink);
    }
  }
  if (now >= nextRevival_) {
    const Duration period = startup_ ? timers_.startupRetry : timers_.revivalInterval;
    nextRevival_ = util::MonoTime::max();
    for (auto& r : revival_) {
      if (now >= r.nextAt) {
        const MemberEntry* e = table.find(r.id);
        // Start-up probes stop once the member has answered one (its answer shows it knows
        // our incarnation); normal revival ends at rebuild.
        if (e != nullptr && !(startup_ && table.echoesSelf(*e))) sink.probe(r.id);
        r.nextAt += period;
        if (r.nextAt <= now) r.nextAt = now + period;
      }
      nextRevival_ = std::min(nextRevival_, r.nextAt);
    }
  }
}

void Monitor::probeRound(const MemberTable& table, Target& t, util::MonoTime now,
                         ProtocolSink& sink) {
  if (t.probed && t.lastHeard <= t.lastProbeAt) ++t.misses;
  t.probed = true;
  t.lastProbeAt = now;
  t.nextProbeAt += timers_.probeInterval;
  if (t.nextProbeAt <= now) t.nextProbeAt = now + timers_.probeInterval;
  sink.probe(t.id);
  if (!t.suspect && t.misses >= timers_.suspectAfterMisses) {
    t.suspect = true;
    t.suspectSince = now;
    const MemberEntry* e = table.find(t.id);
    t.suspectIncarnation = e != nullptr ? e->incarnation : 0;
    t.requestId = nextRequestId_++;
    t.votes = 0;
    t.askedCount = 0;
    t.voted.fill(false);
    sink.suspicionChanged(t.id, true);
    askHelpers(table, t, now, sink);
    if (t.needed == 0 && table.reachableOthers() == 1) {
      // Nobody else could ever vote: probe once more like a helper would, and decide when a
      // helper would have answered.
      t.solo = true;
      t.soloProbeAt = now + timers_.helperRetry;
      t.soloDeadline = now + timers_.helperTimeout;
    }
  }
  if (t.suspect && t.needed == 0 && !t.solo && t.misses >= timers_.soloDeathMisses) {
    declare(t, sink);
  }
}

void Monitor::soloStep(const MemberTable& table, Target& t, util::MonoTime now,
                       ProtocolSink& sink) {
  if (now >= t.soloProbeAt) {
    t.soloProbeAt = util::MonoTime::max();
    sink.probe(t.id);
  }
  if (!verdicts_ || now < t.soloDeadline) return;
  t.soloDeadline = util::MonoTime::max();
  if (table.reachableOthers() == 1) {
    declare(t, sink);
    return;
  }
  // Members joined meanwhile: they can vote.
  t.solo = false;
  askHelpers(table, t, now, sink);
}

void Monitor::declare(Target& t, ProtocolSink& sink) {
  if (!verdicts_) return;
  // A process restarted (or refuted) while we gathered evidence against the previous one:
  // start over against the new one rather than declare it dead at once (seen in the restart
  // e2e: a speaker up 190 ms after SIGKILL was declared dead at its new incarnation by the
  // verdict about its predecessor, refuted, and flipped its IPs twice).
  if (!sink.declareDead(t.id, t.suspectIncarnation)) clearSuspicion(t, sink);
}

void Monitor::askHelpers(const MemberTable& table, Target& t, util::MonoTime now,
                         ProtocolSink& sink) {
  const MemberId self = table.self().id;
  // Possible helpers: reachable members other than the target and other than members we
  // suspect ourselves (they are as silent as the target; if nobody else is left we either are
  // the last one standing or are cut off, and the slow solo rule decides after more misses).
  // With no other member at all, probeRound makes us the target's helper.
  std::size_t suspectedOthers = 0;
  for (const auto& other : targets_) {
    if (other.suspect && other.id != t.id) ++suspectedOthers;
  }
  const std::size_t reachable = table.reachableOthers();
  const std::size_t available =
      reachable > suspectedOthers + 1 ? reachable - suspectedOthers - 1 : 0;
  t.needed = static_cast<int>(std::min<std::size_t>(
      static_cast<std::size_t>(std::max(timers_.votesToConfirm, 1)), available));
  t.nextIndirectAt = now + timers_.indirectRetry;
  // Fewer helpers are left than when we asked (another one fell silent or died): the votes
  // already in may now be enough. Without this, a 2-2 split or half of a 4-member cluster dying
  // at once was never confirmed: the near helper's vote stayed one short forever.
  if (t.needed > 0 && t.votes >= t.needed) {
    declare(t, sink);
    return;
  }
  if (available == 0) return;

  std::array<MemberId, kMaxAsked> chosen{};
  std::size_t count = 0;
  const std::size_t want = std::min<std::size_t>(
      std::min<std::size_t>(static_cast<std::size_t>(std::max(timers_.helpers, 1)), kMaxAsked),
      available);
  auto take = [&](MemberId id) {
    if (id == self || id == t.id || count == want) return;
    if (const Target* other = target(id); other != nullptr && other->suspect) return;
    if (std::find(chosen.begin(), chosen.begin() + count, id) != chosen.begin() + count) return;
    chosen[count++] = id;
  };
  // The suspect's other monitors see it from the same side of the ring: ask them first. On a
  // retry they have failed to answer, so ask random members instead.
  if (t.askedCount == 0) {
    int seen = 0;
    table.walk(t.id, /*forward=*/true, [&](const MemberEntry& e) {
      if (!isReachable(e.status)) return true;
      take(e.id);
      return ++seen < timers_.monitors && count < want;
    });
  }
  const auto entries = table.entries();
  for (int tries = 0; count < want && tries < 16 * timers_.helpers; ++tries) {
    const MemberEntry& e = entries[rng_.below(entries.size())];
    if (isReachable(e.status)) take(e.id);
  }
  for (std::size_t i = 0; i < entries.size() && count < want; ++i) {
    if (isReachable(entries[i].status)) take(entries[i].id);
  }
  for (std::size_t i = 0; i < count; ++i) {
    const auto end = t.asked.begin() + t.askedCount;
    if (std::find(t.asked.begin(), end, chosen[i]) == end && t.askedCount < kMaxAsked) {
      t.asked[t.askedCount++] = chosen[i];
    }
    sink.askHelper(chosen[i], t.id, t.requestId);
  }
}

void Monitor::clearSuspicion(Target& t, ProtocolSink& sink) {
  t.misses = 0;
  t.solo = false;
  t.soloProbeAt = t.soloDeadline = util::MonoTime::max();
  if (!t.suspect) return;
  t.suspect = false;
  sink.suspicionChanged(t.id, false);
}

void Monitor::onHeard(MemberId id, util::MonoTime now, ProtocolSink& sink) {
  Target* t = findTarget(id);
  if (t == nullptr) return;
  t->lastHeard = now;
  clearSuspicion(*t, sink);
}

void Monitor::onIndirectResult(MemberId helper, MemberId target, uint64_t requestId, bool reachable,
                               ProtocolSink& sink) {
  Target* t = findTarget(target);
  if (t == nullptr || !t->suspect || requestId != t->requestId) return;
  const auto end = t->asked.begin() + t->askedCount;
  const auto it = std::find(t->asked.begin(), end, helper);
  if (it == end) return;
  if (reachable) {
    clearSuspicion(*t, sink);
    return;
  }
  bool& voted = t->voted[static_cast<std::size_t>(it - t->asked.begin())];
  if (voted) return;
  voted = true;
  if (++t->votes >= t->needed && t->needed > 0) declare(*t, sink);
}

void Monitor::onStall(util::MonoTime now) {
  for (auto& t : targets_) {
    t.misses = 0;
    t.probed = false;
    t.lastHeard = now;
    t.suspect = false;  // re-earned from fresh evidence; no event: nothing was disseminated
    t.solo = false;
    t.soloProbeAt = t.soloDeadline = util::MonoTime::max();
    t.nextProbeAt = std::max(t.nextProbeAt, now);
  }
}

util::MonoTime Monitor::nextWakeup() const {
  util::MonoTime next = nextRevival_;
  for (const auto& t : targets_) {
    next = std::min(next, t.nextProbeAt);
    if (t.suspect && t.needed > 0 && t.votes < t.needed) next = std::min(next, t.nextIndirectAt);
    if (t.suspect && t.solo) {
      next = std::min(next, t.soloProbeAt);
      if (verdicts_) next = std::min(next, t.soloDeadline);
    }
  }
  return next;
}

std::size_t Monitor::stateBytes() const {
  return sizeof(*this) + targets_.capacity() * sizeof(Target) +
         revival_.capacity() * sizeof(Revival);
}

}  // namespace ironlb::membership
