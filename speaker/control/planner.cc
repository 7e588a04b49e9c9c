// Planner: incremental upkeep of the per-IP decisions.
#include "speaker/control/planner.h"

#include <algorithm>
#include <iterator>

namespace ironlb::control {

Planner::Planner(std::string self) : self_(std::move(self)) {}

const IpDecision* Planner::decision(const net::IpAddress& ip) const {
  auto it = decisions_.find(ip);
  return it == decisions_.end() ? nullptr : &it->second;
}

const ServiceInput* Planner::service(const std::string& key) const {
  auto it = services_.find(key);
  return it == services_.end() ? nullptr : &it->second;
}

std::vector<const ServiceInput*> Planner::servicesOf(const net::IpAddress& ip) const {
  std::vector<const ServiceInput*> out;
  auto it = ipServices_.find(ip);
  if (it == ipServices_.end()) return out;
  for (const auto& key : it->second)
    out.push_back(&services_.at(key));
  return out;
}

lbconfig::InterfaceSet Planner::selfInterfaces() const {
  lbconfig::Config::Advertisements all;
  for (const auto& ad : config_.l2Advertisements())
    all.push_back(&ad);
  return config_.interfacesOn(self_, all);
}

void Planner::updateDesired(const IpDecision& d) {
  if (d.winner != self_) {
    desired_.erase(d.ip);
    return;
  }
  const auto services = servicesOf(d.ip);
  const auto on = interfacesFor(d, services, config_, self_);
  desired_[d.ip] =
      on.all ? std::set<std::string>{} : std::set<std::string>(on.names.begin(), on.names.end());
}

void Planner::record(const net::IpAddress& ip, std::optional<IpDecision> before, IpDecision* after,
                     std::vector<Change>& changes) {
  if (after == nullptr) {
    desired_.erase(ip);
  } else {
    updateDesired(*after);
  }
  const bool same = before && after && before->sameOutcome(*after);
  if (!same && (before || after)) {
    changes.push_back(
        {ip, std::move(before), after ? std::optional<IpDecision>(*after) : std::nullopt});
  }
}

void Planner::redecide(const net::IpAddress& ip, std::vector<Change>& changes) {
  std::optional<IpDecision> before;
  if (auto it = decisions_.find(ip); it != decisions_.end()) before = std::move(it->second);
  const auto services = servicesOf(ip);
  if (services.empty()) {
    decisions_.erase(ip);
    record(ip, std::move(before), nullptr, changes);
    return;
  }
  ++stats_.ipsDecided;
  IpDecision& d = decisions_[ip] = decide(ip, services, config_, live_, cache_,
                                          before ? &*before : nullptr, &stats_.scoresComputed);
  record(ip, std::move(before), &d, changes);
}

std::vector<Change> Planner::setConfig(lbconfig::Config config) {
  config_ = std::move(config);
  cache_.clear();
  std::vector<Change> changes;
  for (const auto& entry : ipServices_)
    redecide(entry.first, changes);
  return changes;
}

std::vector<Change> Planner::upsertService(ServiceInput service) {
  std::vector<Change> changes;
  std::set<net::IpAddress> touched(service.ips.begin(), service.ips.end());
  if (auto it = services_.find(service.key); it != services_.end()) {
    if (it->second == service) return changes;
    for (const auto& ip : it->second.ips) {
      touched.insert(ip);
      auto& users = ipServices_[ip];
      users.erase(service.key);
      if (users.empty()) ipServices_.erase(ip);
    }
  }
  for (const auto& ip : service.ips)
    ipServices_[ip].insert(service.key);
  services_[service.key] = std::move(service);
  for (const auto& ip : touched)
    redecide(ip, changes);
  return changes;
}

std::vector<Change> Planner::removeService(const std::string& key) {
  std::vector<Change> changes;
  auto it = services_.find(key);
  if (it == services_.end()) return changes;
  const std::vector<net::IpAddress> ips = it->second.ips;
  for (const auto& ip : ips) {
    auto& users = ipServices_[ip];
    users.erase(key);
    if (users.empty()) ipServices_.erase(ip);
  }
  services_.erase(it);
  for (const auto& ip : ips)
    redecide(ip, changes);
  return changes;
}

std::vector<Change> Planner::setLive(std::vector<std::string> live) {
  std::vector<Change> changes;
  std::vector<std::string> removed, added;
  std::set_difference(live_.begin(), live_.end(), live.begin(), live.end(),
                      std::back_inserter(removed));
  std::set_difference(live.begin(), live.end(), live_.begin(), live_.end(),
                      std::back_inserter(added));
  live_ = std::move(live);
  if (removed.empty() && added.empty()) return changes;

  for (auto& [ip, d] : decisions_) {
    if (d.eligible.empty()) continue;  // liveness cannot matter
    const bool winnerLeft =
        d.winner && std::binary_search(removed.begin(), removed.end(), *d.winner);
    if (winnerLeft || !d.winner) {
      // Re-election among the live eligible nodes (also when nobody was live before: any
      // joiner may be eligible).
      if (!d.winner) {
        const auto& eligible = d.eligible;  // a structured binding is not capturable in C++17
        const bool eligibleJoined = std::any_of(added.begin(), added.end(), [&](const auto& n) {
          return std::binary_search(eligible.begin(), eligible.end(), n);
        });
        if (!eligibleJoined) continue;
      }
      const IpDecision before = d;
      std::vector<std::string> candidates;
      std::set_intersection(d.eligible.begin(), d.eligible.end(), live_.begin(), live_.end(),
                            std::back_inserter(candidates));
      ++stats_.winnersReelected;
      stats_.scoresComputed += candidates.size();
      auto won = electAmong(candidates, d.key);
      if (won) {
        d.winner = std::move(won->first);
        d.winnerScore = won->second;
        d.reason = Reason::kAnnounced;
      } else {
        d.winner.reset();
        d.winnerScore = {};
        d.reason = Reason::kNoLiveCandidate;
      }
      record(ip, before, &d, changes);
      continue;
    }
    // The winner stays: only a joined eligible node with a better score can take over.
    const std::vector<std::string>& small = added.size() <= d.eligible.size() ? added : d.eligible;
    const std::vector<std::string>& large = added.size() <= d.eligible.size() ? d.eligible : added;
    std::optional<IpDecision> before;
    std::string keyText;
    for (const auto& name : small) {
      if (!std::binary_search(large.begin(), large.end(), name)) continue;
      if (keyText.empty()) keyText = d.key.toString();
      ++stats_.scoresComputed;
      const election::Score s = election::score(name, keyText);
      if (beats(s, name, d.winnerScore, *d.winner)) {
        if (!before) before = d;
        d.winner = name;
        d.winnerScore = s;
      }
    }
    if (before) record(ip, std::move(before), &d, changes);
  }
  return changes;
}

}  // namespace ironlb::control
