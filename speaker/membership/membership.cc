// Membership core: receive path, self state (incarnation, refutation, withdrawal, leave),
// dissemination (direct notices, piggyback, anti-entropy) and derived state (live set,
// isolation, start-up sync). Probing and suspicion live in Monitor and HelperDuty.

#include "speaker/membership/membership.h"

#include <algorithm>
#include <bit>

namespace ironlb::membership {
namespace {

// Ring changes are applied at most this long after they happen, so a burst of joins (every
// member answering our start-up probes) costs one rebuild instead of one per packet.
constexpr Duration kRingCoalesce = std::chrono::milliseconds(1);

// The next incarnation of ours. Saturates: a key holder that claims kMaxIncarnation about us
// wins, but our own packets stay valid.
uint64_t bump(uint64_t incarnation) {
  return std::min(incarnation + 1, kMaxIncarnation);
}

}  // namespace

Result<std::unique_ptr<Membership>> Membership::create(const Config& config,
                                                       std::span<const MemberSpec> members,
                                                       std::span<const std::vector<uint8_t>> keys) {
  if (Status s = validate(config); !s.ok()) return makeError(s.error());
  auto ring = KeyRing::create(keys);
  if (!ring.ok()) return makeError(ring.error());
  std::unique_ptr<Membership> m(new Membership(config, std::move(*ring)));
  if (Status s = m->table_.validate(members); !s.ok()) return makeError(s.error());
  m->table_.replace(members);
  m->rebuildLive();
  return m;
}

Membership::Membership(const Config& config, KeyRing keys)
    : config_(config),
      timers_(config_.timers),
      keys_(std::move(keys)),
      table_(MemberSpec{config.selfName, config.selfEndpoint}, config.startIncarnation),
      rng_(config.randomSeed),
      monitor_(timers_, rng_),
      helpers_(timers_) {
  events_.reserve(64);
  // Announcing MACs (possibly none) are sent from the start: they are also how peers learn
  // that we read sealed packets.
  macsSet_ = config_.wireVersion >= 2;
  randomBytes(nonceBase_);
}

// ---------------------------------------------------------------------------------------------
// Inputs

void Membership::start(util::MonoTime now) {
  if (started_) return;
  now_ = now;
  started_ = true;
  startedAt_ = now;
  lastReceive_ = now;
  rebuildRing(now);
  monitor_.onTimer(table_, now, *this);  // the join: probes every unknown member now
  if (macsSet_) {
    for (auto& e : table_.entries()) {
      if (&e != &table_.self()) sendMacs(e);
    }
    nextMacRefresh_ = now + timers_.macRefresh;
  }
  settle(now);
}

void Membership::onPacket(std::span<const uint8_t> packet, const Endpoint& source,
                          util::MonoTime now) {
  if (!started_) return;
  now_ = now;
  counters_.bytesReceived += packet.size();
  if (leaving_) return reject(RejectReason::kAfterLeave);
  uint8_t version = 0;
  MemberEntry* from = admit(packet, source, now, &version);
  if (from == nullptr) return;
  noteHeard(*from, version, now);
  const MemberId fromId = from->id;
  const uint64_t knownIncarnation = from->incarnation;
  applyClaims(*from, now);
  if (matchAck(*from)) {
    // Only an answer to our ping shows the member both hears us and reaches us. Counting any
    // message would keep a member that can send but not receive looking alive while it (cut
    // off from everything we say) has taken itself out: its IPs would go unannounced.
    monitor_.onHeard(fromId, now, *this);
    helpers_.onHeard(fromId, *this);
  }
  respond(*from, now);
  // A member that (re)joined, i.e. a new process, knows none of our MACs yet.
  if (macsSet_ && rx_.senderIncarnation > knownIncarnation && isReachable(from->status)) {
    sendMacs(*from);
  }
  // A ping's ack already carries our view of the sender; anything else gets a correction when
  // we know better than the sender about itself (it was declared dead, or restarted with an
  // older incarnation than its previous process).
  if (rx_.type != MessageType::kPing &&
      supersedes(from->incarnation, from->status, rx_.senderIncarnation, rx_.senderStatus)) {
    maybeCorrect(*from, now);
  }
  compareDigest(fromId, now);
  settle(now);
}

MemberEntry* Membership::admit(std::span<const uint8_t> packet, const Endpoint& source,
                               util::MonoTime now, uint8_t* version) {
  auto refuse = [this](RejectReason reason) -> MemberEntry* {
    reject(reason);
    return nullptr;
  };
  // Cheap before expensive: a flood from elsewhere costs a binary search, not an HMAC.
  if (!table_.isMemberEndpoint(source)) return refuse(RejectReason::kUnknownSource);
  switch (decode(packet, keys_, rx_, version)) {
    case DecodeResult::kOk:
      break;
    case DecodeResult::kMalformed:
      return refuse(RejectReason::kMalformed);
    case DecodeResult::kUnknownKey:
      return refuse(RejectReason::kUnknownKey);
    case DecodeResult::kBadMac:
      return refuse(RejectReason::kBadMac);
  }
  if (*version == kWireV2 && config_.wireVersion < 2) return refuse(RejectReason::kMalformed);
  if (*version == kWireV1 && config_.requireSealed) return refuse(RejectReason::kUnsealed);
  const MemberId selfId = table_.self().id;
  if (rx_.sender == selfId) return refuse(RejectReason::kFromSelf);
  if (rx_.destination != selfId) return refuse(RejectReason::kWrongDestination);
  MemberEntry* from = table_.find(rx_.sender);
  if (from == nullptr) return refuse(RejectReason::kUnknownSender);
  // A key holder may speak only as the member at its own address (docs/membership.md).
  if (!(from->endpoint == source)) return refuse(RejectReason::kWrongSource);
  // A member's own incarnation beyond our clock + 2 margins: a forgery or a wild clock.
  if (rx_.senderIncarnation > std::max(selfBound(now), from->incarnation))
    return refuse(RejectReason::kFutureIncarnation);
  switch (from->replay.accept(rx_.senderIncarnation, rx_.sequence)) {
    case ReplayWindow::Verdict::kFresh:
      break;
    case ReplayWindow::Verdict::kReplay:
      return refuse(RejectReason::kReplay);
    case ReplayWindow::Verdict::kStaleIncarnation:
      // Either a replay or a restarted process whose clock went back: tell the real member
      // (at its listed endpoint, never the packet's source) what incarnation we know.
      reject(RejectReason::kStaleIncarnation);
      maybeCorrect(*from, now);
      return nullptr;
  }
  return from;
}

void Membership::noteHeard(MemberEntry& from, uint8_t version, util::MonoTime now) {
  ++counters_.received[static_cast<std::size_t>(rx_.type)];
  if (version == kWireV2) {
    ++counters_.sealedReceived;
    from.sealedIncarnation = std::max(from.sealedIncarnation, rx_.senderIncarnation);
  } else {
    from.unsealedIncarnation = std::max(from.unsealedIncarnation, rx_.senderIncarnation);
  }
  from.lastHeard = now;
  from.heard = true;
  lastReceive_ = now;
  if (isolated_) {
    isolated_ = false;
    emit(EventKind::kRecovered, now);
  }
}

void Membership::applyClaims(MemberEntry& from, util::MonoTime now) {
  const MemberId selfId = table_.self().id;
  const MemberId fromId = from.id;
  apply(from, rx_.senderIncarnation, rx_.senderStatus, now);
  // The sender's view of us: a claim by another member about us.
  if (rx_.destinationIncarnation > std::max(othersBound(now), table_.self().incarnation)) {
    ++counters_.futureClaims;
  } else {
    MemberStatus status = rx_.destinationStatus;
    if (status == MemberStatus::kLeft) status = MemberStatus::kDead;  // only we can leave
    claimAboutSelf(rx_.destinationIncarnation, status, /*directView=*/true, now);
  }
  from.echoedIncarnation = rx_.destinationIncarnation;
  from.echoedStatus = rx_.destinationStatus;
  for (std::size_t i = 0; i < rx_.updateCount; ++i) {
    const Update& u = rx_.updates[i];
    const bool own = u.id == fromId;  // the sender speaking about itself
    MemberEntry* e = u.id == selfId ? &table_.self() : table_.find(u.id);
    if (e == nullptr) {
      ++counters_.unknownUpdates;
      continue;
    }
    // Incarnations are bounded by time, so the member concerned can always refute: its own
    // claims may reach twice as far ahead as anyone's claims about it.
    if (u.incarnation > std::max(own ? selfBound(now) : othersBound(now), e->incarnation)) {
      ++counters_.futureClaims;
      continue;
    }
    MemberStatus status = u.status;
    if (status == MemberStatus::kLeft && !own) {
      // Only a member can say it left (a leave cannot be refuted like a death); relayed by
      // others it counts as a death: same effect, refutable. The member's own goodbye
      // notices reach everybody directly.
      ++counters_.foreignLeaves;
      status = MemberStatus::kDead;
    }
    if (u.id == selfId) {
      claimAboutSelf(u.incarnation, status, /*directView=*/false, now);
    } else {
      apply(*e, u.incarnation, status, now);
    }
  }
}

bool Membership::matchAck(MemberEntry& from) {
  if (rx_.type != MessageType::kAck) return false;
  // Only an answer to a ping we sent (and not yet matched) counts: an ack cannot vouch for a
  // member twice, nor for a ping that never left us.
  for (auto& seq : from.pings) {
    if (seq != 0 && seq == rx_.ackedSequence) {
      seq = 0;
      return true;
    }
  }
  ++counters_.unmatchedAcks;
  return false;
}

void Membership::respond(MemberEntry& from, util::MonoTime now) {
  const MemberId selfId = table_.self().id;
  switch (rx_.type) {
    case MessageType::kPing: {
      Message& m = begin(MessageType::kAck, from);
      m.ackedSequence = rx_.sequence;
      finish(from, /*piggyback=*/true);
      break;
    }
    case MessageType::kPingReq: {
      ++counters_.indirectServed;
      if (rx_.target == selfId) {
        indirectResult(from.id, selfId, rx_.requestId, true);
      } else if (table_.find(rx_.target) == nullptr) {
        ++counters_.unknownUpdates;
      } else if (!helpers_.onPingReq(from.id, rx_.target, rx_.requestId, now, *this)) {
        ++counters_.indirectDropped;
      }
      break;
    }
    case MessageType::kIndirectResult:
      monitor_.onIndirectResult(from.id, rx_.target, rx_.requestId, rx_.reachable, *this);
      break;
    case MessageType::kSync:
      if ((rx_.flags & kFlagSyncReply) != 0) answerSync(from, now);
      break;
    case MessageType::kMacs:
      learnMacs(from);
      break;
    case MessageType::kAck:
    case MessageType::kNotice:
      break;
  }
}

void Membership::compareDigest(MemberId from, util::MonoTime now) {
  if (rx_.digest == table_.digest()) {
    mismatch_ = false;
  } else {
    if (!mismatch_) mismatchSince_ = now;
    mismatch_ = true;
    mismatchPeer_ = from;
  }
}

void Membership::onTimer(util::MonoTime now) {
  if (!started_) return;
  const util::MonoTime due = nextWakeup();
  now_ = now;
  if (due != util::MonoTime::max() && now > due + timers_.stallThreshold) {
    // We did not run for a while (CPU starvation, suspended VM): silence we "observed" during
    // that time says nothing about peers.
    ++counters_.stalls;
    monitor_.onStall(now);
    helpers_.onStall(now);
    lastReceive_ = now;
    mismatch_ = false;
  }
  if (leaving_) {
    if (goodbyesLeft_ > 0 && now >= nextGoodbye_) sendGoodbye(now);
    return;
  }
  if (!startupOver_ && !inStartup(now)) {
    startupOver_ = true;
    markRingDirty(now);
  }
  if (rejoining_) {
    if (now >= linkUpAt_ + timers_.linkSettle) {
      // Our link has been up this long and some peer still has not answered: silence is
      // evidence again (a peer may have died while we were cut off).
      endRejoin(now, /*echoed=*/false);
    } else if (now >= nextRejoinProbe_) {
      nextRejoinProbe_ = now + timers_.startupRetry;
      for (const auto& e : table_.entries()) {
        if (&e != &table_.self() && isReachable(e.status) && !table_.echoesSelf(e)) probe(e.id);
      }
    }
  }
  if (ringDirty_) rebuildRing(now);
  monitor_.onTimer(table_, now, *this);
  helpers_.onTimer(now, *this);

  if (isolationPossible() && now - lastReceive_ >= timers_.isolationAfter) {
    // Peers we monitor and peers that monitor us should all be talking to us. Hearing none of
    // them, we are the likely problem: stop being a candidate until we hear someone again.
    isolated_ = true;
    ++counters_.isolations;
    emit(EventKind::kIsolated, now);
  }

  if (macsSet_ && now >= nextMacRefresh_) {
    // Round robin over reachable members: one lost kMacs is repaired within n intervals.
    nextMacRefresh_ = now + timers_.macRefresh;
    const auto entries = table_.entries();
    for (std::size_t step = 0; step < entries.size(); ++step) {
      macCursor_ = (macCursor_ + 1) % entries.size();
      MemberEntry& e = entries[macCursor_];
      if (&e != &table_.self() && isReachable(e.status)) {
        sendMacs(e);
        break;
      }
    }
  }

  if (mismatch_ && now >= mismatchSince_ + timers_.syncDelay && now >= nextSyncAllowed_) {
    // Gossip should have converged by now; push our whole view and ask for theirs (the merge
    // is a max per member, so the exchange makes both sides equal).
    mismatch_ = false;
    nextSyncAllowed_ = now + timers_.syncInterval;
    if (MemberEntry* peer = table_.find(mismatchPeer_);
        peer != nullptr && isReachable(peer->status)) {
      ++counters_.syncsStarted;
      sendView(*peer, /*askBack=*/true);
    }
  }
  settle(now);
}

Status Membership::setMembers(std::span<const MemberSpec> members, util::MonoTime now) {
  if (Status s = table_.validate(members); !s.ok()) return s;
  now_ = now;
  const MemberTable::Change change = table_.replace(members);
  for (const auto& name : change.added) {
    // A member removed and added again must not see our sequence restart (its window still
    // remembers us): start above every sequence this process has sent to anyone.
    table_.find(memberIdOf(name))->txSequence = sequence_;
    emit(EventKind::kMemberAdded, now, name);
  }
  for (const auto& name : change.removed) {
    const MemberId id = memberIdOf(name);
    helpers_.forget(id);
    piggyback_.remove(id);
    emit(EventKind::kMemberRemoved, now, name);
  }
  if (mismatch_ && table_.find(mismatchPeer_) == nullptr) mismatch_ = false;
  rebuildMacIndex();
  const std::vector<std::string> before = live_;
  rebuildLive();
  if (live_ != before) liveChanged_ = true;
  if (started_) rebuildRing(now);
  settle(now);
  return {};
}

Status Membership::setKeys(std::span<const std::vector<uint8_t>> keys) {
  auto ring = KeyRing::create(keys);
  if (!ring.ok()) return makeError(ring.error());
  keys_ = std::move(*ring);
  return {};
}

void Membership::setWithdrawn(bool withdrawn, util::MonoTime now) {
  if (leaving_) return;
  now_ = now;
  MemberEntry& self = table_.self();
  const MemberStatus want = withdrawn ? MemberStatus::kWithdrawn : MemberStatus::kAlive;
  const MemberStatus was = self.status;
  if (was == want) return;
  // A new incarnation so the new status overrides the old one everywhere, in both directions.
  table_.set(self, bump(self.incarnation), want);
  emit(EventKind::kMemberChanged, now, self.name, was, want, self.incarnation);
  if (started_) announceSelf();
  settle(now);
}

void Membership::setLinkUp(bool up, util::MonoTime now) {
  if (leaving_ || up == linkUp_) return;
  now_ = now;
  linkUp_ = up;
  // Silence observed while the link was down says nothing about peers (as after a stall).
  monitor_.onStall(now);
  helpers_.onStall(now);
  lastReceive_ = now;
  mismatch_ = false;
  monitor_.setVerdicts(false);
  rejoining_ = up;
  if (up) {
    // Peers declared us dead and took our IPs meanwhile, or we missed changes: rejoin as at
    // start-up. Every peer must have heard of us before we answer again, so no owner of our
    // IPs is still answering when we do (the link-flap e2e saw both answer for ~1 s: our
    // first notices waited in the kernel for neighbour resolution, our gratuitous ARP did
    // not).
    linkUpAt_ = now;
    nextRejoinProbe_ = now + timers_.startupRetry;
    MemberEntry& self = table_.self();
    table_.set(self, bump(self.incarnation), self.status);
    confirmed_ = false;
    if (started_) {
      piggyback_.push(Update{self.id, self.incarnation, self.status}, piggybackBudget());
      // Dead ones too: our view of them is as stale as theirs of us.
      for (auto& e : table_.entries()) {
        if (&e != &self) probe(e.id);
      }
    }
  } else {
    nextRejoinProbe_ = util::MonoTime::max();
  }
  settle(now);
}

void Membership::setLocalMacs(std::span<const LinkMac> macs, util::MonoTime now) {
  if (leaving_) return;
  now_ = now;
  std::array<LinkMac, kMaxMacs> sorted{};
  std::size_t n = 0;
  for (const LinkMac& mac : macs) {
    if (n == kMaxMacs) break;
    if (mac == LinkMac{} ||
        std::find(sorted.begin(), sorted.begin() + n, mac) != sorted.begin() + n)
      continue;
    sorted[n++] = mac;
  }
  std::sort(sorted.begin(), sorted.begin() + n);
  MemberEntry& self = table_.self();
  if (macsSet_ && self.macCount == n &&
      std::equal(sorted.begin(), sorted.begin() + n, self.macs.begin()))
    return;
  self.macs = sorted;
  self.macCount = static_cast<uint8_t>(n);
  if (config_.wireVersion < 2) return;  // an old speaker: no macs messages
  const bool first = !macsSet_;
  macsSet_ = true;
  if (!started_) return;
  if (first) nextMacRefresh_ = now + timers_.macRefresh;
  for (auto& e : table_.entries()) {
    if (&e != &self && isReachable(e.status)) sendMacs(e);
  }
  settle(now);
}

void Membership::leave(util::MonoTime now) {
  if (leaving_) return;
  now_ = now;
  MemberEntry& self = table_.self();
  const MemberStatus was = self.status;
  table_.set(self, bump(self.incarnation), MemberStatus::kLeft);
  leaving_ = true;
  emit(EventKind::kMemberChanged, now, self.name, was, MemberStatus::kLeft, self.incarnation);
  goodbyesLeft_ = started_ ? timers_.leaveRepeats : 0;
  settle(now);
  if (goodbyesLeft_ > 0) {
    sendGoodbye(now);
  } else {
    emit(EventKind::kLeaveDone, now);
  }
}

void Membership::sendGoodbye(util::MonoTime now) {
  announceSelf();
  --goodbyesLeft_;
  nextGoodbye_ = now + timers_.leaveSpacing;
  if (goodbyesLeft_ == 0) {
    nextGoodbye_ = util::MonoTime::max();
    emit(EventKind::kLeaveDone, now);
  }
}

// ---------------------------------------------------------------------------------------------
// State merging

void Membership::apply(MemberEntry& entry, uint64_t incarnation, MemberStatus status,
                       util::MonoTime now) {
  if (!supersedes(incarnation, status, entry.incarnation, entry.status)) return;
  const MemberStatus old = entry.status;
  table_.set(entry, incarnation, status);
  piggyback_.push(Update{entry.id, incarnation, status}, piggybackBudget());
  if (old == status) return;  // a newer incarnation of the same status
  emit(EventKind::kMemberChanged, now, entry.name, old, status, incarnation);
  if (status == MemberStatus::kDead && !declaring_) ++counters_.deathsLearned;
  if (status == MemberStatus::kLeft) ++counters_.leavesLearned;
  if (isReachable(old) != isReachable(status)) markRingDirty(now);
  if ((old == MemberStatus::kAlive) != (status == MemberStatus::kAlive)) {
    setLive(entry.name, status == MemberStatus::kAlive);
  }
}

uint64_t Membership::wallMs(util::MonoTime now) const {
  const uint64_t base = config_.startWallMs != 0 ? config_.startWallMs : config_.startIncarnation;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - startedAt_);
  return base + static_cast<uint64_t>(std::max<int64_t>(elapsed.count(), 0));
}

uint64_t Membership::othersBound(util::MonoTime now) const {
  const auto margin =
      std::chrono::duration_cast<std::chrono::milliseconds>(timers_.incarnationMargin).count();
  return std::min(wallMs(now) + static_cast<uint64_t>(margin), kMaxIncarnation);
}

uint64_t Membership::selfBound(util::MonoTime now) const {
  const auto margin =
      std::chrono::duration_cast<std::chrono::milliseconds>(timers_.incarnationMargin).count();
  return std::min(wallMs(now) + 2 * static_cast<uint64_t>(margin), kMaxIncarnation);
}

void Membership::claimAboutSelf(uint64_t incarnation, MemberStatus status, bool directView,
                                util::MonoTime now) {
  if (leaving_) return;
  MemberEntry& self = table_.self();
  if (supersedes(incarnation, status, self.incarnation, self.status)) {
    // Somebody holds a claim about us that beats ours: we were declared dead (or left), or a
    // previous process of ours used a higher incarnation. Refute with a higher one and tell
    // everybody, since views are evidently inconsistent.
    const uint64_t next = bump(std::max(incarnation, self.incarnation));
    if (next == self.incarnation) return;  // saturated: cannot refute; do not re-broadcast
    ++counters_.refutations;
    if (status == MemberStatus::kDead || status == MemberStatus::kLeft) confirmed_ = false;
    table_.set(self, next, self.status);
    emit(EventKind::kMemberChanged, now, self.name, status, self.status, self.incarnation);
    announceSelf();
  } else if (directView && incarnation == self.incarnation && status == self.status) {
    confirmed_ = true;
  }
}

void Membership::endRejoin(util::MonoTime now, bool echoed) {
  rejoining_ = false;
  nextRejoinProbe_ = util::MonoTime::max();
  // Everybody answered: both directions work again and the silence before was ours (the
  // kernel re-resolving neighbours), not evidence against anybody. Merely hearing a peer is
  // not enough: its packets can get in while ours still wait for the neighbour entry (seen
  // in the link-flap e2e: one probe in, then silence, then stale verdicts).
  if (echoed) monitor_.onStall(now);
  monitor_.setVerdicts(true);
}

bool Membership::everyoneEchoed() const {
  for (const auto& e : table_.entries()) {
    if (&e != &table_.self() && isReachable(e.status) && !table_.echoesSelf(e)) return false;
  }
  return true;
}

bool Membership::declareDead(MemberId target, uint64_t incarnation) {
  MemberEntry* entry = table_.find(target);
  if (entry == nullptr || !isReachable(entry->status)) return true;
  if (entry->incarnation > incarnation) {
    ++counters_.staleVerdicts;
    return false;
  }
  ++counters_.deathsDeclared;
  declaring_ = true;
  apply(*entry, entry->incarnation, MemberStatus::kDead, now_);
  declaring_ = false;
  const Update news{entry->id, entry->incarnation, MemberStatus::kDead};
  for (auto& e : table_.entries()) {
    if (&e != &table_.self() && isReachable(e.status)) sendNotice(e, {&news, 1});
  }
  return true;
}

void Membership::suspicionChanged(MemberId target, bool suspect) {
  const MemberEntry* entry = table_.find(target);
  if (suspect) {
    ++counters_.suspicions;
  } else {
    ++counters_.suspicionsCleared;
  }
  emit(suspect ? EventKind::kSuspected : EventKind::kSuspicionCleared, now_,
       entry != nullptr ? entry->name : std::string());
}

// ---------------------------------------------------------------------------------------------
// Sending

Message& Membership::begin(MessageType type, MemberEntry& to) {
  const MemberEntry& self = table_.self();
  tx_.type = type;
  tx_.flags = 0;
  tx_.sender = self.id;
  tx_.senderIncarnation = self.incarnation;
  tx_.senderStatus = self.status;
  ++sequence_;
  tx_.sequence = ++to.txSequence;
  tx_.destination = to.id;
  tx_.destinationIncarnation = to.incarnation;
  tx_.destinationStatus = to.status;
  tx_.digest = table_.digest();
  tx_.updateCount = 0;
  return tx_;
}

void Membership::finish(MemberEntry& to, bool piggyback) {
  if (piggyback && timers_.piggybackPerMessage > 0) {
    const std::size_t room =
        std::min<std::size_t>(static_cast<std::size_t>(timers_.piggybackPerMessage), kMaxUpdates);
    tx_.updateCount = static_cast<uint8_t>(piggyback_.take({tx_.updates.data(), room}));
  }
  // Sealed to members that seal to us (their process is at least as new as their last
  // unsealed one), and always for kMacs (which only a sealing speaker understands).
  const bool seal = config_.wireVersion >= 2 &&
                    (config_.requireSealed || tx_.type == MessageType::kMacs ||
                     (to.sealedIncarnation != 0 && to.sealedIncarnation >= to.unsealedIncarnation));
  std::size_t written = 0;
  if (seal) {
    Nonce nonce = nonceBase_;
    for (std::size_t i = 0; i < 8; ++i)
      nonce[kNonceBytes - 1 - i] ^= static_cast<uint8_t>(sequence_ >> (8 * i));
    const std::size_t size = sealedSize(tx_.type, tx_.updateCount);
    written = encodeSealed(tx_, keys_.signing(), nonce, outbox_.reserve(size));
    ++counters_.sealedSent;
  } else {
    const std::size_t size = messageSize(tx_.type, tx_.updateCount);
    written = encode(tx_, keys_.signing(), outbox_.reserve(size));
  }
  if (written == 0) return;  // OpenSSL failed: nothing to send (never seen)
  outbox_.commit(to.endpoint, to.id, written);
  ++counters_.sent[static_cast<std::size_t>(tx_.type)];
  counters_.bytesSent += written;
}

void Membership::probe(MemberId target) {
  MemberEntry* to = table_.find(target);
  if (to == nullptr) return;
  begin(MessageType::kPing, *to);
  to->pings[to->nextPing] = tx_.sequence;
  to->nextPing = static_cast<uint8_t>((to->nextPing + 1) % MemberEntry::kPingsInFlight);
  finish(*to, /*piggyback=*/true);
}

void Membership::askHelper(MemberId helper, MemberId target, uint64_t requestId) {
  MemberEntry* to = table_.find(helper);
  if (to == nullptr) return;
  ++counters_.indirectRequests;
  Message& m = begin(MessageType::kPingReq, *to);
  m.target = target;
  m.requestId = requestId;
  finish(*to, /*piggyback=*/true);
}

void Membership::indirectResult(MemberId requester, MemberId target, uint64_t requestId,
                                bool reachable) {
  MemberEntry* to = table_.find(requester);
  if (to == nullptr) return;
  // Rejoining, our probes may still wait for the kernel's neighbour entry: our silence
  // verdict would be about us. The requester asks other helpers.
  if (!reachable && cutOff()) return;
  Message& m = begin(MessageType::kIndirectResult, *to);
  m.target = target;
  m.requestId = requestId;
  m.reachable = reachable;
  finish(*to, /*piggyback=*/true);
}

void Membership::sendNotice(MemberEntry& to, std::span<const Update> updates) {
  Message& m = begin(MessageType::kNotice, to);
  const std::size_t n = std::min(updates.size(), kMaxUpdates);
  std::copy_n(updates.begin(), n, m.updates.begin());
  m.updateCount = static_cast<uint8_t>(n);
  finish(to, /*piggyback=*/false);
}

void Membership::announceSelf() {
  const MemberEntry& self = table_.self();
  const Update news{self.id, self.incarnation, self.status};
  piggyback_.push(news, piggybackBudget());
  const bool join = joining() && !leaving_;  // goodbyes are notices: nothing to wait for
  for (auto& e : table_.entries()) {
    if (&e == &self) continue;
    if (join) {
      probe(e.id);  // the answer shows it heard of us
    } else {
      sendNotice(e, {&news, 1});
    }
  }
}

void Membership::sendView(MemberEntry& to, bool askBack) {
  const auto entries = table_.entries();
  std::size_t i = 0;
  do {
    Message& m = begin(MessageType::kSync, to);
    std::size_t n = 0;
    for (; i < entries.size() && n < kMaxUpdates; ++i) {
      const MemberEntry& e = entries[i];
      if (e.status != MemberStatus::kUnknown) m.updates[n++] = {e.id, e.incarnation, e.status};
    }
    m.updateCount = static_cast<uint8_t>(n);
    if (askBack && i == entries.size()) m.flags = kFlagSyncReply;
    finish(to, /*piggyback=*/false);
  } while (i < entries.size());
}

void Membership::sendMacs(MemberEntry& to) {
  const MemberEntry& self = table_.self();
  Message& m = begin(MessageType::kMacs, to);
  m.macCount = self.macCount;
  m.macs = self.macs;
  finish(to, /*piggyback=*/false);
}

void Membership::learnMacs(MemberEntry& from) {
  std::array<LinkMac, kMaxMacs> macs{};
  const std::size_t n = std::min<std::size_t>(rx_.macCount, kMaxMacs);
  std::copy_n(rx_.macs.begin(), n, macs.begin());
  std::sort(macs.begin(), macs.begin() + n);
  if (from.macCount == n && std::equal(macs.begin(), macs.begin() + n, from.macs.begin())) return;
  // A change (rare: a new speaker process, an interface added): the index is rebuilt, which
  // may allocate; an unchanged refresh (the steady state) allocates nothing.
  from.macs = macs;
  from.macCount = static_cast<uint8_t>(n);
  rebuildMacIndex();
}

void Membership::rebuildMacIndex() {
  macIndex_.clear();
  for (const auto& e : table_.entries()) {
    if (&e == &table_.self()) continue;
    for (std::size_t i = 0; i < e.macCount; ++i)
      macIndex_.emplace_back(e.macs[i], e.id);
  }
  std::sort(macIndex_.begin(), macIndex_.end());
}

const std::string* Membership::memberOfMac(const LinkMac& mac) const {
  auto it = std::lower_bound(macIndex_.begin(), macIndex_.end(), std::make_pair(mac, MemberId{0}));
  if (it == macIndex_.end() || it->first != mac) return nullptr;
  const MemberEntry* e = table_.find(it->second);
  return e != nullptr ? &e->name : nullptr;
}

void Membership::answerSync(MemberEntry& from, util::MonoTime now) {
  if (from.syncReplied && now < from.lastSyncReply + timers_.syncInterval) return;
  from.syncReplied = true;
  from.lastSyncReply = now;
  ++counters_.syncsAnswered;
  sendView(from, /*askBack=*/false);
}

void Membership::maybeCorrect(MemberEntry& to, util::MonoTime now) {
  if (to.corrected && now < to.lastCorrection + timers_.correctionInterval) return;
  to.corrected = true;
  to.lastCorrection = now;
  ++counters_.corrections;
  const Update view{to.id, to.incarnation, to.status};
  sendNotice(to, {&view, 1});
}

// ---------------------------------------------------------------------------------------------
// Derived state

int Membership::piggybackBudget() const {
  const auto n = static_cast<uint64_t>(table_.size()) + 1;
  const int log2n = static_cast<int>(std::bit_width(n - 1));  // ceil(log2(n)) for n >= 2
  return timers_.piggybackLambda * std::max(log2n, 1);
}

bool Membership::selfConfirmed() const {
  // Unconfirmed: we started, refuted a death claim or came back from a link loss, and nobody
  // has acknowledged our current incarnation yet (we may be able to hear but not to be heard).
  // Alone, there is nobody to confirm.
  return confirmed_ || table_.reachableOthers() == 0;
}

bool Membership::selfLive() const {
  return started_ && !leaving_ && !isolated_ && linkUp_ && !rejoining_ &&
         table_.self().status == MemberStatus::kAlive && selfConfirmed();
}

bool Membership::isolationPossible() const {
  // Silence is evidence against ourselves only when several peers fall silent at once: they
  // do not fail together, but our link takes all of them. A single peer's silence says as
  // much against it as against us (a two-member cluster, the last two standing): we then keep
  // our candidacy and detect its death as usual. While we know we are cut off (link down or
  // not yet settled) isolation adds nothing.
  return !isolated_ && !cutOff() && table_.reachableOthers() >= 2 && monitor_.targetCount() > 0;
}

void Membership::markRingDirty(util::MonoTime now) {
  if (ringDirty_) return;
  ringDirty_ = true;
  ringDirtySince_ = now;
}

void Membership::rebuildRing(util::MonoTime now) {
  const bool had = monitor_.targetCount() > 0;
  monitor_.rebuild(table_, now, !startupOver_);
  ringDirty_ = false;
  if (!had && monitor_.targetCount() > 0) lastReceive_ = std::max(lastReceive_, now);
  if (monitor_.targetCount() == 0 && isolated_) {
    isolated_ = false;  // nobody left who should be talking to us
    emit(EventKind::kRecovered, now);
  }
}

void Membership::setLive(const std::string& name, bool live) {
  auto it = std::lower_bound(live_.begin(), live_.end(), name);
  const bool present = it != live_.end() && *it == name;
  if (live && !present) {
    live_.insert(it, name);
    liveChanged_ = true;
  } else if (!live && present) {
    live_.erase(it);
    liveChanged_ = true;
  }
}

void Membership::rebuildLive() {
  live_.clear();
  for (const auto& e : table_.entries()) {
    if (&e != &table_.self() && e.status == MemberStatus::kAlive) live_.push_back(e.name);
  }
  selfInLive_ = selfLive();
  if (selfInLive_) live_.push_back(table_.self().name);
  std::sort(live_.begin(), live_.end());
}

void Membership::settle(util::MonoTime now) {
  if (rejoining_ && everyoneEchoed()) endRejoin(now, /*echoed=*/true);
  // Every member heard of is not enough: a peer's probe can arrive before the answer to our
  // join, and until a peer echoes our incarnation we are not in our own live set. Synced then
  // handed the daemon a first live set without us (the rightful owner named a peer, then
  // corrected itself a few ms later). Waiting for every reachable member's answer also means
  // every owner we take IPs from knows we are here.
  if (started_ && !synced_ && ((table_.unknownCount() == 0 && everyoneEchoed()) || startupOver_)) {
    synced_ = true;
    emit(EventKind::kSynced, now);
  }
  if (const bool live = selfLive(); live != selfInLive_) {
    selfInLive_ = live;
    setLive(table_.self().name, live);
  }
  if (liveChanged_) {
    liveChanged_ = false;
    emit(EventKind::kLiveSetChanged, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs and state

util::MonoTime Membership::nextWakeup() const {
  if (!started_) return util::MonoTime::max();
  if (leaving_) return goodbyesLeft_ > 0 ? nextGoodbye_ : util::MonoTime::max();
  util::MonoTime next = std::min(monitor_.nextWakeup(), helpers_.nextWakeup());
  if (ringDirty_) next = std::min(next, ringDirtySince_ + kRingCoalesce);
  if (!startupOver_) next = std::min(next, startedAt_ + timers_.startupWindow);
  if (isolationPossible()) next = std::min(next, lastReceive_ + timers_.isolationAfter);
  if (rejoining_) {
    next = std::min(next, std::min(linkUpAt_ + timers_.linkSettle, nextRejoinProbe_));
  }
  if (mismatch_)
    next = std::min(next, std::max(mismatchSince_ + timers_.syncDelay, nextSyncAllowed_));
  if (macsSet_ && table_.reachableOthers() > 0) next = std::min(next, nextMacRefresh_);
  return next;
}

void Membership::clearOutputs() {
  outbox_.clear();
  events_.clear();
}

void Membership::emit(EventKind kind, util::MonoTime now, std::string member, MemberStatus from,
                      MemberStatus to, uint64_t incarnation) {
  events_.push_back(Event{kind, now, std::move(member), from, to, incarnation});
}

std::vector<MemberInfo> Membership::members(util::MonoTime now) const {
  std::vector<MemberInfo> out;
  out.reserve(table_.size());
  for (const auto& e : table_.entries()) {
    MemberInfo info;
    info.name = e.name;
    info.id = e.id;
    info.endpoint = e.endpoint;
    info.status = e.status;
    info.incarnation = e.incarnation;
    info.self = &e == &table_.self();
    info.live = std::binary_search(live_.begin(), live_.end(), e.name);
    if (const Monitor::Target* t = monitor_.target(e.id); t != nullptr) {
      info.monitored = true;
      info.suspect = t->suspect;
      info.misses = t->misses;
    }
    if (e.heard) info.sinceHeard = now - e.lastHeard;
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const MemberInfo& a, const MemberInfo& b) { return a.name < b.name; });
  return out;
}

std::size_t Membership::stateBytes() const {
  std::size_t bytes = sizeof(*this) + table_.stateBytes() + monitor_.stateBytes() +
                      piggyback_.stateBytes() + outbox_.stateBytes() +
                      events_.capacity() * sizeof(Event) + live_.capacity() * sizeof(std::string) +
                      macIndex_.capacity() * sizeof(macIndex_[0]);
  for (const auto& name : live_) {
    if (name.capacity() > 15) bytes += name.capacity() + 1;
  }
  return bytes;
}

}  // namespace ironlb::membership
