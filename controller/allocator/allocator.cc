#include "controller/allocator/allocator.h"

#include <algorithm>
#include <cassert>
#include <tuple>
#include <utility>

#include "common/lbconfig/unusable_addresses.h"
#include "controller/allocator/avoided_ips.h"
#include "controller/allocator/request_rules.h"
#include "controller/allocator/sharing.h"

namespace ironlb::allocator {
namespace {

std::string quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Why no pool holds `ip`: pools never hold addresses no host can use, whatever their
// spec.addresses say, and saying so beats "not in any pool" (`is_not`: "is not", "is no longer").
std::string notInAnyPool(const net::IpAddress& ip, std::string_view isNot) {
  if (auto why = lbconfig::whyUnusable(ip)) return std::move(*why);
  return ip.toString() + " " + std::string(isNot) + " in any IPAddressPool";
}

lbconfig::ServiceView viewOf(const ServiceRequest& request) {
  return {request.ns, request.namespaceLabels, request.labels};
}

// What the Service needs, for "... offers <need>" messages.
std::string need(const ServiceRequest& request) {
  const std::string primary(net::familyName(request.families[0]));
  if (!wantsDualStack(request)) return "a free " + primary + " address";
  const std::string secondary(net::familyName(request.families[1]));
  if (request.familyPolicy == FamilyPolicy::kRequireDualStack) {
    return "both a free " + primary + " and a free " + secondary + " address";
  }
  return "a free " + primary + " or " + secondary + " address";
}

}  // namespace

void Allocator::reserve(std::size_t services) {
  services_.reserve(services);
  ips_.reserve(services);
}

ServiceState* Allocator::find(std::string_view service) {
  auto it = services_.find(service);
  return it == services_.end() ? nullptr : &it->second;
}

const ServiceState* Allocator::find(std::string_view service) const {
  auto it = services_.find(service);
  return it == services_.end() ? nullptr : &it->second;
}

Assignment Allocator::assignmentOf(const ServiceState& state) const {
  return Assignment{state.ips.toVector(), space_.pools().pool(state.pool).name};
}

std::optional<Assignment> Allocator::assignment(std::string_view service) const {
  const ServiceState* state = find(service);
  if (state == nullptr) return std::nullopt;
  return assignmentOf(*state);
}

bool Allocator::inUse(std::string_view pool) const {
  const auto index = space_.pools().poolIndex(pool);
  if (!index) return false;
  const PoolCounters c = space_.counters(*index);
  net::AddressCount taken = c.v4.assigned + c.v6.assigned;
  net::AddressCount held;
  for (const auto& [ip, hold] : holds_.entries()) {
    const auto rangeId = space_.pools().locate(ip);
    if (rangeId && space_.pools().slot(*rangeId).pool == *index &&
        space_.range(*rangeId).usable(ip.value())) {
      held = held + net::AddressCount(1);
    }
  }
  return held < taken;
}

std::optional<std::string> Allocator::poolOf(const net::IpAddress& ip) const {
  const auto rangeId = space_.pools().locate(ip);
  if (!rangeId) return std::nullopt;
  return space_.pools().pool(space_.pools().slot(*rangeId).pool).name;
}

std::vector<std::string> Allocator::holders(std::string_view pool) const {
  std::vector<std::string> out;
  const auto index = space_.pools().poolIndex(pool);
  if (!index) return out;
  for (const auto& [key, state] : services_)
    if (state.pool == *index) out.push_back(key);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::size_t>> Allocator::servicesPerPool() const {
  const auto& pools = space_.pools().pools();
  std::vector<std::size_t> counts(pools.size(), 0);
  for (const auto& [key, state] : services_)
    if (state.pool < counts.size()) ++counts[state.pool];
  std::vector<std::pair<std::string, std::size_t>> out;
  out.reserve(pools.size());
  for (std::size_t i = 0; i < pools.size(); ++i)
    out.emplace_back(pools[i].name, counts[i]);
  return out;
}

std::vector<net::IpAddress> Allocator::dropHolds(std::string_view service) {
  std::vector<net::IpAddress> dropped;
  for (const auto& [ip, hold] : holds_.entries())
    if (hold.service == service) dropped.push_back(ip);
  for (const auto& ip : dropped) {
    holds_.erase(ip);
    const auto rangeId = space_.pools().locate(ip);
    if (rangeId && space_.range(*rangeId).usable(ip.value())) space_.giveBack(*rangeId, ip);
  }
  return dropped;
}

std::vector<net::IpAddress> Allocator::advanceTo(util::MonoTime now) {
  now_ = now;
  std::vector<net::IpAddress> expired = holds_.expire(now);
  for (const auto& ip : expired) {
    const auto rangeId = space_.pools().locate(ip);
    if (rangeId && space_.range(*rangeId).usable(ip.value())) space_.giveBack(*rangeId, ip);
  }
  return expired;
}

std::optional<PoolCounters> Allocator::counters(std::string_view pool) const {
  const auto index = space_.pools().poolIndex(pool);
  if (!index) return std::nullopt;
  return space_.counters(*index);
}

// ---- pool changes -------------------------------------------------------------------------

Result<SetPoolsReport> Allocator::setPools(std::vector<lbconfig::Pool> pools) {
  auto built = PoolSet::build(std::move(pools));
  if (!built) return Error{"pools not applied: " + built.error()};
  AddressSpace next(std::move(*built));
  const PoolSet& set = next.pools();

  SetPoolsReport report;
  std::vector<std::pair<ServiceState*, uint32_t>> kept;
  std::vector<ServiceState*> dropped;
  for (auto& [key, state] : services_) {
    std::string why;
    std::optional<uint32_t> pool;
    for (const auto& ip : state.ips) {
      const auto rangeId = set.locate(ip);
      if (!rangeId) {
        why = notInAnyPool(ip, "is no longer");
        break;
      }
      const uint32_t p = set.slot(*rangeId).pool;
      if (isAvoided(set.pool(p).avoidBuggyIps, ip.family(), ip.value())) {
        why =
            ip.toString() + " is now excluded by avoidBuggyIPs of pool " + quoted(set.pool(p).name);
        break;
      }
      if (pool && *pool != p) {
        why = "its IPs are now in two pools, " + quoted(set.pool(*pool).name) + " and " +
              quoted(set.pool(p).name) + "; one Service's IPs must come from one pool";
        break;
      }
      pool = p;
    }
    if (why.empty() && !set.pool(*pool).admits(state.view())) {
      why = "pool " + quoted(set.pool(*pool).name) + " no longer admits " + key +
            " (serviceAllocation)";
    }
    if (why.empty()) {
      kept.emplace_back(&state, *pool);
    } else {
      report.cleared.push_back({key, assignmentOf(state), std::move(why)});
      dropped.push_back(&state);
    }
  }

  // The old address space is discarded, so dropped Services only leave the IP table; what they
  // held is held back for them (a pool edit undone gives the same addresses back).
  for (ServiceState* state : dropped) {
    for (const auto& ip : state->ips) {
      if (ips_.removeUser(ip, state) && holdFor_ > util::Duration::zero()) {
        holds_.hold(ip, std::string(state->key), now_ + holdFor_);
      }
    }
    services_.erase(services_.find(state->key));
  }
  for (auto& [ip, use] : ips_.entries()) {
    const auto rangeId = set.locate(ip);
    assert(rangeId.has_value());
    use.rangeId = *rangeId;
    next.take(*rangeId, ip);
  }
  // Held addresses stay out of reach in the new pools too (also those that had left every pool
  // and are back: a shrink undone).
  for (const auto& [ip, hold] : holds_.entries()) {
    const auto rangeId = set.locate(ip);
    if (rangeId && next.range(*rangeId).usable(ip.value())) next.take(*rangeId, ip);
  }
  for (auto& [state, pool] : kept) {
    const std::string& from = space_.pools().pool(state->pool).name;
    const std::string& to = set.pool(pool).name;
    if (from != to) report.repooled.push_back({std::string(state->key), from, to});
    state->pool = pool;
  }
  space_ = std::move(next);

  const auto byService = [](const auto& a, const auto& b) { return a.service < b.service; };
  std::sort(report.cleared.begin(), report.cleared.end(), byService);
  std::sort(report.repooled.begin(), report.repooled.end(), byService);
  return report;
}

// ---- checks -------------------------------------------------------------------------------

Result<Allocator::Held> Allocator::checkHold(const ServiceRequest& request,
                                             const SharingIdentity& who, const IpList& ips) const {
  const PoolSet& set = space_.pools();
  Held held;
  for (std::size_t i = 0; i < ips.size(); ++i) {
    const net::IpAddress& ip = ips[i];
    const auto rangeId = set.locate(ip);
    if (!rangeId) return Error{notInAnyPool(ip, "is not")};
    const uint32_t pool = set.slot(*rangeId).pool;
    if (i > 0 && pool != held.pool) {
      return Error{ips[0].toString() + " (pool " + quoted(set.pool(held.pool).name) + ") and " +
                   ip.toString() + " (pool " + quoted(set.pool(pool).name) +
                   ") are in different pools; one Service's IPs must come from one pool"};
    }
    if (!space_.range(*rangeId).usable(ip.value())) {
      return Error{ip.toString() + " is excluded by avoidBuggyIPs of pool " +
                   quoted(set.pool(pool).name) + " (last octet 0 or 255)"};
    }
    held.pool = pool;
    held.rangeIds[i] = *rangeId;
  }
  if (!set.pool(held.pool).admits(viewOf(request))) {
    return Error{"pool " + quoted(set.pool(held.pool).name) +
                 " does not admit the Service (its serviceAllocation selects other namespaces "
                 "or Services)"};
  }
  for (const auto& ip : ips) {
    const IpUse* use = ips_.find(ip);
    if (use != nullptr && !canShare(*use, who)) return Error{sharingConflict(ip, *use, who)};
    if (const HoldBack::Entry* hold = holds_.find(ip); hold && hold->service != who.service) {
      const auto left = std::chrono::ceil<std::chrono::seconds>(hold->until - now_).count();
      return Error{ip.toString() + " is held back for " + hold->service +
                   ", which gave it up recently, for " + std::to_string(left) +
                   " s more (release hold-back)"};
    }
  }
  return held;
}

std::string Allocator::unsatisfied(const ServiceState& state, const ServiceRequest& request,
                                   const SharingIdentity& who) const {
  if (Status shape = checkIpShape(request, state.ips.span(), "held IPs"); !shape) {
    return shape.error();
  }
  if (!request.requestedIps.empty() && !state.ips.sameSet(request.requestedIps)) {
    return "the Service now requests " + ipList(request.requestedIps);
  }
  const lbconfig::Pool& pool = space_.pools().pool(state.pool);
  if (!request.requestedPool.empty() && request.requestedPool != pool.name) {
    return "the Service now requests pool " + quoted(request.requestedPool) + " instead of " +
           quoted(pool.name);
  }
  if (!pool.admits(viewOf(request))) {
    return "pool " + quoted(pool.name) + " no longer admits the Service (serviceAllocation)";
  }
  for (const auto& ip : state.ips) {
    const IpUse* use = ips_.find(ip);
    if (!canShare(*use, who)) return sharingConflict(ip, *use, who);
  }
  return {};
}

// ---- choosing IPs -------------------------------------------------------------------------

std::optional<Allocator::Candidate> Allocator::firstUsable(uint32_t pool, net::Family family,
                                                           const SharingIdentity& who) const {
  std::optional<Candidate> best;
  if (const auto free = space_.firstFree(pool, family)) best = Candidate{free->ip, free->position};
  const std::set<net::IpAddress>* group = ips_.group(who.sharingKey, who.backendKey);
  if (group == nullptr) return best;
  // A compatible shared IP competes with the first free one in (range position, address) order.
  const PoolSet& set = space_.pools();
  for (auto it = group->lower_bound(net::IpAddress::fromValue(family, 0));
       it != group->end() && it->family() == family; ++it) {
    const IpUse* use = ips_.find(*it);
    const RangeSlot& slot = set.slot(use->rangeId);
    if (slot.pool != pool) continue;
    if (best && std::tie(slot.position, *it) >= std::tie(best->position, best->ip)) continue;
    if (canShare(*use, who)) best = Candidate{*it, slot.position};
  }
  return best;
}

std::optional<Allocator::Pick> Allocator::pickFrom(const std::vector<uint32_t>& pools,
                                                   const ServiceRequest& request,
                                                   const SharingIdentity& who) const {
  const PoolSet& set = space_.pools();
  const bool dual = wantsDualStack(request);
  std::optional<Pick> primaryOnly;
  std::optional<Pick> secondaryOnly;
  for (const uint32_t pool : pools) {
    if (!set.pool(pool).admits(viewOf(request))) continue;
    const auto first = firstUsable(pool, request.families[0], who);
    if (!dual) {
      if (first) return Pick{pool, IpList({&first->ip, 1})};
      continue;
    }
    const auto second = firstUsable(pool, request.families[1], who);
    if (first && second) {
      Pick both{pool, IpList({&first->ip, 1})};
      both.ips.pushBack(second->ip);
      return both;
    }
    if (request.familyPolicy == FamilyPolicy::kPreferDualStack) {
      if (first && !primaryOnly) primaryOnly = Pick{pool, IpList({&first->ip, 1})};
      if (second && !secondaryOnly) secondaryOnly = Pick{pool, IpList({&second->ip, 1})};
    }
  }
  return primaryOnly ? primaryOnly : secondaryOnly;
}

Result<Allocator::Pick> Allocator::fromRequestedIps(const ServiceRequest& request,
                                                    const SharingIdentity& who) const {
  const IpList ips = inFamilyOrder(request, request.requestedIps);
  auto held = checkHold(request, who, ips);
  if (!held) return Error{held.error()};
  const std::string& pool = space_.pools().pool(held->pool).name;
  if (space_.pools().pool(held->pool).deleting) {
    return Error{"requested IPs " + ipList(ips.span()) + " are in pool " + quoted(pool) +
                 ", which is being deleted"};
  }
  if (!request.requestedPool.empty() && request.requestedPool != pool) {
    return Error{"requested IPs " + ipList(ips.span()) + " are in pool " + quoted(pool) +
                 ", not in the requested pool " + quoted(request.requestedPool)};
  }
  return Pick{held->pool, ips};
}

Result<Allocator::Pick> Allocator::fromNamedPool(const ServiceRequest& request,
                                                 const SharingIdentity& who) const {
  const auto pool = space_.pools().poolIndex(request.requestedPool);
  if (!pool)
    return Error{"the requested pool " + quoted(request.requestedPool) + " does not exist"};
  if (space_.pools().pool(*pool).deleting) {
    return Error{"the requested pool " + quoted(request.requestedPool) + " is being deleted"};
  }
  if (!space_.pools().pool(*pool).admits(viewOf(request))) {
    return Error{"the requested pool " + quoted(request.requestedPool) +
                 " does not admit the Service (serviceAllocation)"};
  }
  if (auto pick = pickFrom({*pool}, request, who)) return std::move(*pick);
  return Error{"the requested pool " + quoted(request.requestedPool) + " does not offer " +
               need(request)};
}

Result<Allocator::Pick> Allocator::automatically(const ServiceRequest& request,
                                                 const SharingIdentity& who) const {
  const PoolSet& set = space_.pools();
  if (auto pick = pickFrom(set.constrainedAutoPools(), request, who)) return std::move(*pick);
  if (auto pick = pickFrom(set.openAutoPools(), request, who)) return std::move(*pick);
  if (set.pools().empty()) return Error{"no IPAddressPools are configured"};
  std::string tried;
  std::size_t count = 0;
  for (const auto* group : {&set.constrainedAutoPools(), &set.openAutoPools()}) {
    for (const uint32_t pool : *group) {
      if (!set.pool(pool).admits(viewOf(request))) continue;
      if (++count <= 5) tried += (tried.empty() ? "" : ", ") + quoted(set.pool(pool).name);
    }
  }
  if (count == 0) return Error{"no autoAssign IPAddressPool admits the Service"};
  if (count > 5) tried += " and " + std::to_string(count - 5) + " more";
  return Error{"no autoAssign pool admitting the Service offers " + need(request) + " (tried " +
               tried + ")"};
}

std::optional<Allocator::Pick> Allocator::takenBack(const ServiceRequest& request,
                                                    const SharingIdentity& who) const {
  if (!request.requestedIps.empty()) return std::nullopt;  // exactly those, or nothing
  std::vector<net::IpAddress> mine;
  for (const auto& ip : holds_.heldFor(request.key)) {
    if (std::find(request.families.begin(), request.families.end(), ip.family()) !=
        request.families.end()) {
      mine.push_back(ip);
    }
  }
  if (mine.empty() || !checkIpShape(request, mine, "held-back IPs")) return std::nullopt;
  const IpList ordered = inFamilyOrder(request, mine);
  auto held = checkHold(request, who, ordered);
  if (!held) return std::nullopt;
  const lbconfig::Pool& pool = space_.pools().pool(held->pool);
  if (pool.deleting) return std::nullopt;
  if (!request.requestedPool.empty() && request.requestedPool != pool.name) return std::nullopt;
  if (request.requestedPool.empty() && !pool.autoAssign) return std::nullopt;
  return Pick{held->pool, ordered};
}

// ---- state changes ------------------------------------------------------------------------

void Allocator::addIp(ServiceState& state, const net::IpAddress& ip) {
  const auto rangeId = space_.pools().locate(ip);
  assert(rangeId.has_value());
  // A held address is already taken in the space (taken back by the Service it was held for).
  if (ips_.addUser(ip, *rangeId, &state) && !holds_.erase(ip)) space_.take(*rangeId, ip);
  state.ips.pushBack(ip);
}

void Allocator::letGo(uint32_t rangeId, const net::IpAddress& ip, std::string_view service,
                      Release how) {
  if (how == Release::kHold && holdFor_ > util::Duration::zero()) {
    holds_.hold(ip, std::string(service), now_ + holdFor_);  // stays taken
  } else {
    space_.giveBack(rangeId, ip);
  }
}

void Allocator::dropIp(ServiceState& state, const net::IpAddress& ip, Release how) {
  const uint32_t rangeId = ips_.find(ip)->rangeId;
  if (ips_.removeUser(ip, &state)) letGo(rangeId, ip, state.key, how);
  state.ips.erase(ip);
}

ServiceState& Allocator::commit(const ServiceRequest& request, std::vector<ServicePort> ports,
                                const IpList& ips, uint32_t pool) {
  auto [it, inserted] = services_.try_emplace(request.key);
  assert(inserted);
  ServiceState& state = it->second;
  state.key = it->first;
  state.ns = request.ns;
  state.namespaceLabels = request.namespaceLabels;
  state.labels = request.labels;
  state.sharingKey = request.sharingKey;
  state.backendKey = request.backendKey;
  state.ports = std::move(ports);
  state.pool = pool;
  for (const auto& ip : ips)
    addIp(state, ip);
  return state;
}

void Allocator::refresh(ServiceState& state, const ServiceRequest& request,
                        std::vector<ServicePort> ports) {
  const bool rekey =
      state.sharingKey != request.sharingKey || state.backendKey != request.backendKey;
  std::string oldSharing = std::move(state.sharingKey);
  std::string oldBackend = std::move(state.backendKey);
  state.sharingKey = request.sharingKey;
  state.backendKey = request.backendKey;
  state.ports = std::move(ports);
  state.ns = request.ns;
  state.ips = inFamilyOrder(request, state.ips.span());  // the primary family may differ
  if (state.namespaceLabels != request.namespaceLabels) {
    state.namespaceLabels = request.namespaceLabels;
  }
  if (state.labels != request.labels) state.labels = request.labels;
  // Only a sole holder can reach here with new keys (sharing forbids a key change otherwise).
  if (rekey) {
    for (const auto& ip : state.ips) {
      ips_.regroup(ip, oldSharing, oldBackend);
    }
  }
}

Assignment Allocator::releaseState(ServiceState& state, Release how) {
  Assignment previous = assignmentOf(state);
  for (const auto& ip : state.ips) {
    const uint32_t rangeId = ips_.find(ip)->rangeId;
    if (ips_.removeUser(ip, &state)) letGo(rangeId, ip, state.key, how);
  }
  services_.erase(services_.find(state.key));
  return previous;
}

std::optional<Assignment> Allocator::release(std::string_view service, Release how) {
  ServiceState* state = find(service);
  if (state == nullptr) return std::nullopt;
  return releaseState(*state, how);
}

// ---- entry points -------------------------------------------------------------------------

Result<AllocationResult> Allocator::allocate(const ServiceRequest& request) {
  AllocationResult out;
  const auto fail = [&](const std::string& why) {
    std::string message = "no IP for " + request.key + ": " + why;
    if (!out.released.empty()) {
      message += " (its previous IPs " + ipList(out.released) +
                 " were released: " + out.releaseReason + ")";
    }
    return Error{std::move(message)};
  };

  ServiceState* held = find(request.key);
  Status valid = checkFamilies(request);
  if (valid && !request.requestedIps.empty()) {
    valid = checkIpShape(request, request.requestedIps, "requested IPs");
  }
  if (!valid) {
    if (held != nullptr) {
      out.released = releaseState(*held, Release::kHold).ips;
      out.releaseReason = "the request is invalid";
      out.heldBack = holdFor_ > util::Duration::zero();
    }
    return fail(valid.error());
  }

  std::vector<ServicePort> ports = normalizedPorts(request.ports);
  const SharingIdentity who{request.key, request.sharingKey, request.backendKey, &ports};
  if (held != nullptr && !wantsDualStack(request) && held->ips.size() == 2) {
    // Dual-stack turned single-stack: keep the primary-family IP (if the rest still fits).
    const std::size_t other = held->ips[0].family() == request.families[0] ? 1 : 0;
    if (held->ips[1 - other].family() == request.families[0]) {
      const net::IpAddress dropped = held->ips[other];
      dropIp(*held, dropped, Release::kHold);
      out.released = {dropped};
      out.releaseReason = "the Service is single-stack now";
      out.heldBack = holdFor_ > util::Duration::zero();
    }
  }
  if (held != nullptr && holds_.size() > 0) {
    // Undoing an edit: the IPs the edit made the Service give up fit again; they win over the
    // ones it got meanwhile, which are freed (holding those would swap back and forth).
    if (std::optional<Pick> back = takenBack(request, who);
        back && !held->ips.sameSet(back->ips.span()) && unsatisfied(*held, request, who).empty()) {
      out.released = releaseState(*held, Release::kFree).ips;
      out.releaseReason = "it takes back " + ipList(back->ips.span()) +
                          ", which it gave up recently and which fit it again";
      ServiceState& state = commit(request, std::move(ports), back->ips, back->pool);
      out.assignment = assignmentOf(state);
      out.outcome = Outcome::kAllocated;
      return out;
    }
  }
  if (held != nullptr) {
    std::string why = unsatisfied(*held, request, who);
    if (why.empty()) {
      refresh(*held, request, std::move(ports));
      out.outcome = out.released.empty() ? Outcome::kUnchanged : Outcome::kReduced;
      if (wantsDualStack(request) && held->ips.size() == 1 && request.requestedIps.empty()) {
        // PreferDualStack holding one family: add the other from the same pool, keep the first.
        const bool hasPrimary = held->ips[0].family() == request.families[0];
        const net::Family missing = request.families[hasPrimary ? 1 : 0];
        if (const auto extra = firstUsable(held->pool, missing, held->identity())) {
          addIp(*held, extra->ip);  // appends
          if (!hasPrimary) held->ips.swapOrder();
          out.outcome = Outcome::kExtended;
        }
      }
      out.assignment = assignmentOf(*held);
      return out;
    }
    for (const auto& ip : releaseState(*held, Release::kHold).ips)
      out.released.push_back(ip);
    out.releaseReason = std::move(why);
    out.heldBack = holdFor_ > util::Duration::zero();
  }

  // What this Service gave up recently comes back first when it fits again: an edit undone.
  std::optional<Pick> back = takenBack(request, who);
  Result<Pick> pick = back                             ? Result<Pick>(std::move(*back))
                      : !request.requestedIps.empty()  ? fromRequestedIps(request, who)
                      : !request.requestedPool.empty() ? fromNamedPool(request, who)
                                                       : automatically(request, who);
  if (!pick) return fail(pick.error());
  ServiceState& state = commit(request, std::move(ports), pick->ips, pick->pool);
  out.assignment = assignmentOf(state);
  out.outcome = Outcome::kAllocated;
  return out;
}

Result<AllocationResult> Allocator::restore(const ServiceRequest& request,
                                            const std::vector<net::IpAddress>& ips) {
  const auto fail = [&](const std::string& why) {
    return Error{"cannot restore " + ipList(ips) + " for " + request.key + ": " + why};
  };
  if (Status s = checkFamilies(request); !s) return fail(s.error());
  if (Status s = checkIpShape(request, ips, "IPs in status"); !s) return fail(s.error());
  std::vector<ServicePort> ports = normalizedPorts(request.ports);
  const SharingIdentity who{request.key, request.sharingKey, request.backendKey, &ports};
  const IpList ordered = inFamilyOrder(request, ips);
  auto held = checkHold(request, who, ordered);
  if (!held) return fail(held.error());

  AllocationResult out;
  if (ServiceState* state = find(request.key)) {
    if (state->ips.sameSet(ordered.span())) {
      refresh(*state, request, std::move(ports));
      out.outcome = Outcome::kUnchanged;
      out.assignment = assignmentOf(*state);
      return out;
    }
    out.released = releaseState(*state, Release::kHold).ips;
    out.releaseReason = "the Service's status lists " + ipList(ordered.span());
  }
  ServiceState& state = commit(request, std::move(ports), ordered, held->pool);
  out.assignment = assignmentOf(state);
  out.outcome = Outcome::kAllocated;
  return out;
}

}  // namespace ironlb::allocator
