#pragma once
// Planner: the speaker's election state, kept up to date incrementally. Pure: inputs are data
// (configuration, Services, the live speaker set), outputs are the per-IP decisions that
// changed and what this node should announce.
//
// Cost (the point of being incremental; see speaker/control/README.md):
//  - a Service change re-decides only that Service's IPs (old and new);
//  - a configuration change (pools, advertisements, nodes) re-decides every IP, but hashes only
//    where the eligible nodes changed: a kept winner is only compared with newly eligible nodes;
//  - a live-set change touches every IP only with a binary search; SHA-256 work is limited to
//    IPs whose winner left (a full re-election among the live eligible nodes) and to pairs
//    (joined node, IP it is eligible for) — one score each, compared with the cached winner's.
//    Rendezvous hashing guarantees nothing else can change.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/lbconfig/config.h"
#include "common/net/ip_address.h"
#include "speaker/announcer/announcer.h"
#include "speaker/control/ip_decision.h"
#include "speaker/control/service_input.h"

namespace ironlb::control {

// One IP whose decision changed. `before`/`after` are nullopt when the IP appeared/disappeared
// (no Service uses it any more).
struct Change {
  net::IpAddress ip;
  std::optional<IpDecision> before;
  std::optional<IpDecision> after;
};

struct PlannerStats {
  uint64_t ipsDecided = 0;        // full decide() runs
  uint64_t winnersReelected = 0;  // winner left: re-election among live eligible nodes
  uint64_t scoresComputed = 0;    // single scores for joined nodes
};

class Planner {
 public:
  explicit Planner(std::string self);

  std::vector<Change> setConfig(lbconfig::Config config);
  // Adds or replaces the Service with this key.
  std::vector<Change> upsertService(ServiceInput service);
  std::vector<Change> removeService(const std::string& key);
  // Sorted names of nodes with a live speaker (membership's liveMembers()).
  std::vector<Change> setLive(std::vector<std::string> live);

  const std::string& self() const { return self_; }
  const lbconfig::Config& config() const { return config_; }
  const std::vector<std::string>& live() const { return live_; }
  const std::map<net::IpAddress, IpDecision>& decisions() const { return decisions_; }
  const IpDecision* decision(const net::IpAddress& ip) const;
  const ServiceInput* service(const std::string& key) const;
  const std::map<std::string, ServiceInput, std::less<>>& services() const { return services_; }
  // The Services using `ip`.
  std::vector<const ServiceInput*> servicesOf(const net::IpAddress& ip) const;

  // What this node wins: IP -> interface names (empty = every eligible interface).
  const announcer::Desired& desired() const { return desired_; }
  // The interfaces every advertisement selecting this node names (the union, "all" wins; none()
  // when no advertisement selects it): what carrier loss is judged on.
  lbconfig::InterfaceSet selfInterfaces() const;

  const PlannerStats& stats() const { return stats_; }

 private:
  void redecide(const net::IpAddress& ip, std::vector<Change>& changes);
  void record(const net::IpAddress& ip, std::optional<IpDecision> before, IpDecision* after,
              std::vector<Change>& changes);
  void updateDesired(const IpDecision& d);

  std::string self_;
  lbconfig::Config config_;
  CandidateCache cache_;
  std::map<std::string, ServiceInput, std::less<>> services_;
  std::map<net::IpAddress, std::set<std::string>> ipServices_;
  std::vector<std::string> live_;
  std::map<net::IpAddress, IpDecision> decisions_;
  announcer::Desired desired_;
  PlannerStats stats_;
};

}  // namespace ironlb::control
