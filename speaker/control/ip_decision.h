#pragma once
// IpDecision: who announces one LB IP, and if nobody, why (docs/announcement.md). Pure.
//
// The unit is the IP, not the Service, so Services sharing an IP always land on one node:
//  - each Service using the IP is checked on its own: the IP's pool must have L2Advertisements
//    matching the Service (pool + serviceSelectors), the Service needs a serving endpoint, and
//    its eligible nodes are those the advertisements' nodeSelectors pick that may announce
//    (not excluded by label, not NetworkUnavailable), narrowed to nodes with a serving endpoint
//    under externalTrafficPolicy: Local. A Service that fails a check does not take part (it
//    does not veto the others) and keeps its own reason;
//  - the IP's eligible nodes are the intersection over the taking-part Services (the owner must
//    suit every one of them); candidates are the eligible nodes with a live speaker;
//  - the winner is the candidate with the smallest SHA-256(node + "#" + key), where key is the
//    first LB IP of the Service using the IP (MetalLB's rule, so a dual-stack Service's two IPs
//    go to one node); several Services: the smallest of their first IPs, so every speaker picks
//    the same key whatever order it learnt the Services in.
// Whether the winner really has the interfaces (announceFailed) is only known on the winner;
// that check is the daemon's (speaker/daemon), after the data plane has tried.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/lbconfig/config.h"
#include "common/net/ip_address.h"
#include "speaker/control/service_input.h"
#include "speaker/election/election.h"

namespace ironlb::control {

// Ordered from "furthest from announced" to "announced": when no Service takes part, the IP
// reports the most advanced reason among its Services.
enum class Reason : uint8_t {
  kNotInPool,            // the IP is in no IPAddressPool
  kNoAdvertisement,      // no L2Advertisement selects the pool and the Service
  kNoServingEndpoint,    // no serving endpoint anywhere
  kNoEligibleNode,       // nodeSelectors, exclude label and NetworkUnavailable leave no node
  kNoLocalEndpointNode,  // externalTrafficPolicy: Local and no eligible node hosts an endpoint
  kServicesDisagree,     // the Services sharing the IP have no eligible node in common
  kNoLiveCandidate,      // eligible nodes exist, none has a live speaker
  kAnnounced,            // a winner exists
};

// Stable snake_case names for metrics labels and logs ("no_l2_advertisement").
std::string_view reasonName(Reason reason);
// A sentence an operator can act on.
std::string_view reasonText(Reason reason);
// Reasons that come from configuration or workload placement rather than from the moment
// (liveness, endpoints scaled to zero): worth a Warning event.
bool isConfigurationReason(Reason reason);

struct ServiceVerdict {
  std::string service;                 // key "namespace/name"
  Reason reason = Reason::kAnnounced;  // kAnnounced: takes part in the election

  friend bool operator==(const ServiceVerdict&, const ServiceVerdict&) = default;
};

struct IpDecision {
  net::IpAddress ip;
  net::IpAddress key;                    // the IP whose text the election hashes
  std::vector<ServiceVerdict> services;  // every Service using the IP, sorted by key
  std::vector<std::string> eligible;     // before liveness; sorted
  std::optional<std::string> winner;
  election::Score winnerScore{};
  Reason reason = Reason::kNotInPool;

  // Equal as far as anyone outside can tell (the score follows from winner and key).
  bool sameOutcome(const IpDecision& other) const {
    return ip == other.ip && key == other.key && services == other.services &&
           eligible == other.eligible && winner == other.winner && reason == other.reason;
  }
};

// Memoizes Config::candidateNodes per advertisement set for one Config: many IPs share a few
// advertisement sets, and each evaluation walks every node. Clear it when the Config changes.
class CandidateCache {
 public:
  const std::vector<std::string>& candidates(const lbconfig::Config& config,
                                             const lbconfig::Config::Advertisements& ads);
  void clear() { cache_.clear(); }

 private:
  std::map<lbconfig::Config::Advertisements, std::vector<std::string>> cache_;
};

// The whole decision for one IP. `services` are the Services whose ips contain `ip` (any
// order); `live` is sorted. Costs one SHA-256 per live eligible node — unless `previous` (the
// decision made for the same IP and the same `live` before the configuration or the Services
// changed) still has a live eligible winner under the same key: rendezvous hashing then only
// needs the scores of the newly eligible nodes. The result is the same either way.
IpDecision decide(const net::IpAddress& ip, std::span<const ServiceInput* const> services,
                  const lbconfig::Config& config, const std::vector<std::string>& live,
                  CandidateCache& cache, const IpDecision* previous = nullptr,
                  uint64_t* scores = nullptr);

// The winner among `candidates` for `key` (smallest score; ties by name), with its score.
std::optional<std::pair<std::string, election::Score>> electAmong(
    std::span<const std::string> candidates, const net::IpAddress& key);

// True when (score a, name a) beats (score b, name b).
bool beats(const election::Score& a, std::string_view nameA, const election::Score& b,
           std::string_view nameB);

// The interfaces `node` announces the IP on: the union over the Services taking part of the
// interfaces their advertisements name on that node ("all" wins).
lbconfig::InterfaceSet interfacesFor(const IpDecision& decision,
                                     std::span<const ServiceInput* const> services,
                                     const lbconfig::Config& config, std::string_view node);

}  // namespace ironlb::control
