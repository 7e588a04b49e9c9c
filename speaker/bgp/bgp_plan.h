#pragma once
// planBgp: what one node announces to which BGP peer, with which attributes, and for every LB IP
// it does not announce, why (docs/bgp.md). Pure: configuration and Services in, plan out; the
// FRR renderer turns the plan into FRR configuration, the status writer into ServiceBGPStatus.
//
// Rules, for one node:
//  - its sessions: every valid BGPPeer whose nodeSelectors select the node (kept up even when
//    nothing is announced, so routes come back without a new handshake);
//  - an LB IP is announced when its pool is selected by a BGPAdvertisement whose nodeSelectors
//    select the node, the node may announce (not NetworkUnavailable, not excluded by label), the
//    Service has a serving endpoint, and, for externalTrafficPolicy: Local, one on this node;
//    unlike layer 2 there is no election: every such node announces (ECMP at the router);
//  - it goes to the advertisement's peers (all of the node's peers when it names none) whose
//    session carries the IP's family (IPv4 prefixes to IPv4 peers and the other way round; both
//    with dualStackAddressFamily or over an unnumbered interface peer);
//  - the prefix is the IP aggregated to the advertisement's aggregationLength(V6), so Services
//    of one pool can share a prefix;
//  - one prefix to one peer carries one set of attributes: when several advertisements yield it,
//    communities are merged and the highest localPref wins; a disagreement on localPref is
//    reported in `conflicts` (an operator should make them agree).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/lbconfig/bgp_config.h"
#include "common/lbconfig/config.h"
#include "common/net/prefix.h"
#include "speaker/control/service_input.h"

namespace ironlb::bgp {

// What one prefix carries to one peer.
struct Route {
  net::Prefix prefix;
  std::optional<uint32_t> localPref;
  std::vector<lbconfig::BgpCommunity> communities;  // sorted, unique

  friend bool operator==(const Route&, const Route&) = default;
};

struct PeerPlan {
  std::string peer;           // BGPPeer name
  std::vector<Route> routes;  // sorted by prefix, one per prefix

  friend bool operator==(const PeerPlan&, const PeerPlan&) = default;
};

// Ordered from "furthest from announced" to "announced".
enum class Reason : uint8_t {
  kNotInPool,           // the IP is in no IPAddressPool
  kNoAdvertisement,     // no BGPAdvertisement selects the IP's pool
  kNodeNotSelected,     // advertisements exist, none of their nodeSelectors selects this node
  kNodeMayNotAnnounce,  // the node is NetworkUnavailable or excluded by label
  kNoServingEndpoint,   // the Service has no serving endpoint anywhere
  kNoLocalEndpoint,     // externalTrafficPolicy: Local and no serving endpoint on this node
  kNoPeer,              // no session of this node is selected and carries the IP's family
  kAnnounced,
};

std::string_view reasonName(Reason reason);  // snake_case, for metrics labels and logs
std::string_view reasonText(Reason reason);  // a sentence an operator can act on

// One LB IP of one Service, as this node handles it.
struct IpVerdict {
  std::string service;  // "namespace/name"
  net::IpAddress ip;
  Reason reason = Reason::kNotInPool;
  std::vector<std::string> peers;  // the peers it is announced to (sorted); empty unless announced

  friend bool operator==(const IpVerdict&, const IpVerdict&) = default;
};

struct LocalPrefConflict {
  std::string peer;
  net::Prefix prefix;
  std::vector<uint32_t> values;  // sorted, unique, at least two

  friend bool operator==(const LocalPrefConflict&, const LocalPrefConflict&) = default;
};

struct NodePlan {
  std::vector<std::string> sessions;  // peers of this node, sorted
  std::vector<PeerPlan> peers;        // one per session, same order; routes may be empty
  std::vector<IpVerdict> verdicts;    // by Service, then IP
  std::vector<LocalPrefConflict> conflicts;

  friend bool operator==(const NodePlan&, const NodePlan&) = default;
};

// `services` in any order. O(Services x IPs x advertisements of the pool x peers).
NodePlan planBgp(const lbconfig::Config& config, const lbconfig::BgpConfig& bgp,
                 std::string_view node, std::span<const control::ServiceInput> services);

// The BGPPeers of `bgp` whose nodeSelectors select `node` (by name, sorted): the node's
// sessions (NodePlan::sessions; an unknown node has no labels).
std::vector<std::string> peersOfNode(const lbconfig::Config& config, const lbconfig::BgpConfig& bgp,
                                     std::string_view node);

// The prefix of `length` bits that contains `ip`.
net::Prefix aggregate(const net::IpAddress& ip, int length);

}  // namespace ironlb::bgp
