// IpDecision: candidates and winner of one IP.
#include "speaker/control/ip_decision.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace ironlb::control {

std::string_view reasonName(Reason reason) {
  switch (reason) {
    case Reason::kNotInPool:
      return "not_in_pool";
    case Reason::kNoAdvertisement:
      return "no_l2_advertisement";
    case Reason::kNoServingEndpoint:
      return "no_serving_endpoint";
    case Reason::kNoEligibleNode:
      return "no_eligible_node";
    case Reason::kNoLocalEndpointNode:
      return "no_local_endpoint_node";
    case Reason::kServicesDisagree:
      return "sharing_services_disagree";
    case Reason::kNoLiveCandidate:
      return "no_live_speaker";
    case Reason::kAnnounced:
      return "announced";
  }
  return "unknown";
}

std::string_view reasonText(Reason reason) {
  switch (reason) {
    case Reason::kNotInPool:
      return "the IP is in no IPAddressPool of this installation";
    case Reason::kNoAdvertisement:
      return "no L2Advertisement selects the IP's pool for this Service (check ipAddressPools, "
             "ipAddressPoolSelectors and serviceSelectors)";
    case Reason::kNoServingEndpoint:
      return "the Service has no serving endpoint";
    case Reason::kNoEligibleNode:
      return "no node may announce: the L2Advertisements' nodeSelectors match no node, or the "
             "matching nodes are excluded (node.kubernetes.io/exclude-from-external-load-"
             "balancers) or NetworkUnavailable";
    case Reason::kNoLocalEndpointNode:
      return "externalTrafficPolicy is Local and no node allowed to announce hosts a serving "
             "endpoint";
    case Reason::kServicesDisagree:
      return "the Services sharing this IP have no node allowed to announce for all of them";
    case Reason::kNoLiveCandidate:
      return "no speaker is alive on the nodes allowed to announce";
    case Reason::kAnnounced:
      return "announced";
  }
  return "unknown";
}

bool isConfigurationReason(Reason reason) {
  switch (reason) {
    case Reason::kNotInPool:
    case Reason::kNoAdvertisement:
    case Reason::kNoEligibleNode:
    case Reason::kNoLocalEndpointNode:
    case Reason::kServicesDisagree:
      return true;
    case Reason::kNoServingEndpoint:
    case Reason::kNoLiveCandidate:
    case Reason::kAnnounced:
      return false;
  }
  return false;
}

const std::vector<std::string>& CandidateCache::candidates(
    const lbconfig::Config& config, const lbconfig::Config::Advertisements& ads) {
  auto it = cache_.find(ads);
  if (it == cache_.end()) it = cache_.emplace(ads, config.candidateNodes(ads)).first;
  return it->second;
}

bool beats(const election::Score& a, std::string_view nameA, const election::Score& b,
           std::string_view nameB) {
  if (a != b) return a < b;  // bytewise, as election::rank
  return nameA < nameB;
}

std::optional<std::pair<std::string, election::Score>> electAmong(
    std::span<const std::string> candidates, const net::IpAddress& key) {
  std::optional<std::pair<std::string, election::Score>> best;
  const std::string text = key.toString();
  for (const auto& name : candidates) {
    const election::Score s = election::score(name, text);
    if (!best || beats(s, name, best->second, best->first)) best.emplace(name, s);
  }
  return best;
}

namespace {

std::vector<std::string> intersect(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The election key: the smallest first IP of the Services sharing the IP (the same on every
// speaker, whatever order they arrive in).
net::IpAddress electionKey(const net::IpAddress& ip,
                           const std::vector<const ServiceInput*>& sorted) {
  net::IpAddress key = ip;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const net::IpAddress& first = sorted[i]->ips.front();
    if (i == 0 || first < key) key = first;
  }
  return key;
}

// Fills d.services (each Service's reason) and d.eligible (the nodes every announcing Service
// allows). False when no Service announces the IP; d.reason then says why.
bool gatherEligible(IpDecision& d, const std::vector<const ServiceInput*>& sorted,
                    const lbconfig::Config& config, CandidateCache& cache) {
  const bool inPool = config.poolContaining(d.ip) != nullptr;
  bool anyPart = false;
  Reason best = Reason::kNotInPool;
  for (const ServiceInput* s : sorted) {
    Reason r = Reason::kAnnounced;
    if (!inPool) {
      r = Reason::kNotInPool;
    } else {
      const auto ads = config.advertisementsFor(d.ip, s->labels);
      if (ads.empty()) {
        r = Reason::kNoAdvertisement;
      } else if (!s->serving) {
        r = Reason::kNoServingEndpoint;
      } else {
        std::vector<std::string> eligible = cache.candidates(config, ads);
        if (s->local) eligible = intersect(eligible, s->servingNodes);
        if (eligible.empty()) {
          r = s->local && !cache.candidates(config, ads).empty() ? Reason::kNoLocalEndpointNode
                                                                 : Reason::kNoEligibleNode;
        } else {
          d.eligible = anyPart ? intersect(d.eligible, eligible) : std::move(eligible);
          anyPart = true;
        }
      }
    }
    d.services.push_back({s->key, r});
    if (r != Reason::kAnnounced) best = std::max(best, r);
  }
  if (!anyPart) d.reason = best;
  return anyPart;
}

// The previous winner stands when the key is the same and it is still eligible and live: it
// beat every node eligible then, so only newcomers (eligible now, not then) are scored. False
// when the election must run afresh.
bool keepPrevious(IpDecision& d, const IpDecision* previous, const std::vector<std::string>& live,
                  uint64_t* scores) {
  auto isLive = [&](const std::string& name) {
    return std::binary_search(live.begin(), live.end(), name);
  };
  if (previous == nullptr || !previous->winner || previous->key != d.key ||
      !std::binary_search(d.eligible.begin(), d.eligible.end(), *previous->winner) ||
      !isLive(*previous->winner)) {
    return false;
  }
  d.winner = previous->winner;
  d.winnerScore = previous->winnerScore;
  d.reason = Reason::kAnnounced;
  if (previous->eligible == d.eligible) return true;
  const std::string text = d.key.toString();
  for (const auto& name : d.eligible) {
    if (std::binary_search(previous->eligible.begin(), previous->eligible.end(), name) ||
        !isLive(name))
      continue;
    const election::Score s = election::score(name, text);
    if (scores != nullptr) ++*scores;
    if (beats(s, name, d.winnerScore, *d.winner)) {
      d.winner = name;
      d.winnerScore = s;
    }
  }
  return true;
}

}  // namespace

IpDecision decide(const net::IpAddress& ip, std::span<const ServiceInput* const> services,
                  const lbconfig::Config& config, const std::vector<std::string>& live,
                  CandidateCache& cache, const IpDecision* previous, uint64_t* scores) {
  IpDecision d;
  d.ip = ip;
  std::vector<const ServiceInput*> sorted(services.begin(), services.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const ServiceInput* a, const ServiceInput* b) { return a->key < b->key; });
  d.key = electionKey(ip, sorted);
  if (!gatherEligible(d, sorted, config, cache)) return d;
  if (d.eligible.empty()) {
    d.reason = Reason::kServicesDisagree;
    return d;
  }
  if (keepPrevious(d, previous, live, scores)) return d;
  const auto candidates = intersect(d.eligible, live);
  if (scores != nullptr) *scores += candidates.size();
  auto won = electAmong(candidates, d.key);
  if (!won) {
    d.reason = Reason::kNoLiveCandidate;
    return d;
  }
  d.winner = std::move(won->first);
  d.winnerScore = won->second;
  d.reason = Reason::kAnnounced;
  return d;
}

lbconfig::InterfaceSet interfacesFor(const IpDecision& decision,
                                     std::span<const ServiceInput* const> services,
                                     const lbconfig::Config& config, std::string_view node) {
  std::set<std::string> names;
  for (const ServiceInput* s : services) {
    const bool takesPart = std::any_of(
        decision.services.begin(), decision.services.end(),
        [&](const auto& v) { return v.service == s->key && v.reason == Reason::kAnnounced; });
    if (!takesPart) continue;
    const auto on = config.interfacesOn(node, config.advertisementsFor(decision.ip, s->labels));
    if (on.all) return on;
    names.insert(on.names.begin(), on.names.end());
  }
  return lbconfig::InterfaceSet{false, {names.begin(), names.end()}};
}

}  // namespace ironlb::control
