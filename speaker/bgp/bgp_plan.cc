#include "speaker/bgp/bgp_plan.h"

#include <algorithm>
#include <map>
#include <set>

namespace ironlb::bgp {
namespace {

// What the advertisements yielding one prefix for one peer ask for, merged.
struct RouteAttributes {
  std::set<uint32_t> localPrefs;
  std::set<lbconfig::BgpCommunity> communities;
};

using RouteTable = std::map<std::string, std::map<net::Prefix, RouteAttributes>, std::less<>>;

class Planner {
 public:
  Planner(const lbconfig::Config& config, const lbconfig::BgpConfig& bgp, std::string_view node)
      : config_(config), bgp_(bgp), node_(node) {
    const lbconfig::NodeInfo* info = config.node(node);
    if (info != nullptr) labels_ = info->labels;
    mayAnnounce_ = config.nodeMayAnnounce(node);
    plan_.sessions = peersOfNode(config, bgp, node);
  }

  void add(const control::ServiceInput& service) {
    for (const net::IpAddress& ip : service.ips)
      plan_.verdicts.push_back(verdict(service, ip));
  }

  NodePlan finish();

 private:
  IpVerdict verdict(const control::ServiceInput& service, const net::IpAddress& ip);
  // Adds the routes of `ip` through the advertisements in `selected`; returns the peers.
  std::set<std::string> route(const net::IpAddress& ip,
                              const std::vector<const lbconfig::BgpAdvertisement*>& selected);

  const lbconfig::Config& config_;
  const lbconfig::BgpConfig& bgp_;
  std::string_view node_;
  lbconfig::Labels labels_;
  bool mayAnnounce_ = false;
  NodePlan plan_;
  RouteTable routes_;
};

IpVerdict Planner::verdict(const control::ServiceInput& service, const net::IpAddress& ip) {
  IpVerdict v{service.key, ip, Reason::kNotInPool, {}};
  const lbconfig::Pool* pool = config_.poolContaining(ip);
  if (pool == nullptr) return v;
  std::vector<const lbconfig::BgpAdvertisement*> ofPool;
  std::vector<const lbconfig::BgpAdvertisement*> selected;
  for (const lbconfig::BgpAdvertisement& a : bgp_.advertisements) {
    if (!std::binary_search(a.pools.begin(), a.pools.end(), pool->name)) continue;
    ofPool.push_back(&a);
    if (a.selectsNodeLabels(labels_)) selected.push_back(&a);
  }
  if (ofPool.empty()) {
    v.reason = Reason::kNoAdvertisement;
  } else if (selected.empty()) {
    v.reason = Reason::kNodeNotSelected;
  } else if (!mayAnnounce_) {
    v.reason = Reason::kNodeMayNotAnnounce;
  } else if (!service.serving) {
    v.reason = Reason::kNoServingEndpoint;
  } else if (service.local &&
             !std::binary_search(service.servingNodes.begin(), service.servingNodes.end(), node_)) {
    v.reason = Reason::kNoLocalEndpoint;
  } else {
    const std::set<std::string> peers = route(ip, selected);
    v.reason = peers.empty() ? Reason::kNoPeer : Reason::kAnnounced;
    v.peers.assign(peers.begin(), peers.end());
  }
  return v;
}

std::set<std::string> Planner::route(
    const net::IpAddress& ip, const std::vector<const lbconfig::BgpAdvertisement*>& selected) {
  std::set<std::string> peers;
  for (const lbconfig::BgpAdvertisement* a : selected) {
    const net::Prefix prefix = aggregate(ip, a->aggregationLengthFor(ip.family()));
    for (const std::string& session : plan_.sessions) {
      if (!a->selectsPeer(session) || !bgp_.peers.at(session).carries(ip.family())) continue;
      RouteAttributes& attributes = routes_[session][prefix];
      if (a->localPref) attributes.localPrefs.insert(*a->localPref);
      attributes.communities.insert(a->communities.begin(), a->communities.end());
      peers.insert(session);
    }
  }
  return peers;
}

NodePlan Planner::finish() {
  for (const std::string& session : plan_.sessions) {
    PeerPlan peer{session, {}};
    const auto table = routes_.find(session);
    if (table != routes_.end()) {
      for (const auto& [prefix, attributes] : table->second) {
        Route r{
            prefix, std::nullopt, {attributes.communities.begin(), attributes.communities.end()}};
        if (!attributes.localPrefs.empty()) r.localPref = *attributes.localPrefs.rbegin();
        if (attributes.localPrefs.size() > 1) {
          plan_.conflicts.push_back(
              {session, prefix, {attributes.localPrefs.begin(), attributes.localPrefs.end()}});
        }
        peer.routes.push_back(std::move(r));
      }
    }
    plan_.peers.push_back(std::move(peer));
  }
  return std::move(plan_);
}

}  // namespace

std::string_view reasonName(Reason reason) {
  switch (reason) {
    case Reason::kNotInPool:
      return "not_in_pool";
    case Reason::kNoAdvertisement:
      return "no_bgp_advertisement";
    case Reason::kNodeNotSelected:
      return "node_not_selected";
    case Reason::kNodeMayNotAnnounce:
      return "node_may_not_announce";
    case Reason::kNoServingEndpoint:
      return "no_serving_endpoint";
    case Reason::kNoLocalEndpoint:
      return "no_local_endpoint";
    case Reason::kNoPeer:
      return "no_peer";
    case Reason::kAnnounced:
      return "announced";
  }
  return "unknown";
}

std::string_view reasonText(Reason reason) {
  switch (reason) {
    case Reason::kNotInPool:
      return "the IP is in no IPAddressPool";
    case Reason::kNoAdvertisement:
      return "no BGPAdvertisement selects the IP's pool";
    case Reason::kNodeNotSelected:
      return "the nodeSelectors of the pool's BGPAdvertisements do not select this node";
    case Reason::kNodeMayNotAnnounce:
      return "the node is NetworkUnavailable or labelled "
             "node.kubernetes.io/exclude-from-external-load-balancers";
    case Reason::kNoServingEndpoint:
      return "the Service has no serving endpoint";
    case Reason::kNoLocalEndpoint:
      return "externalTrafficPolicy is Local and no serving endpoint runs on this node";
    case Reason::kNoPeer:
      return "no BGPPeer of this node is named by the advertisements and carries the IP's family";
    case Reason::kAnnounced:
      return "announced";
  }
  return "unknown";
}

std::vector<std::string> peersOfNode(const lbconfig::Config& config, const lbconfig::BgpConfig& bgp,
                                     std::string_view node) {
  const lbconfig::NodeInfo* info = config.node(node);
  const lbconfig::Labels labels = info != nullptr ? info->labels : lbconfig::Labels{};
  std::vector<std::string> out;
  for (const auto& [name, peer] : bgp.peers) {
    if (peer.selectsNodeLabels(labels)) out.push_back(name);
  }
  return out;
}

net::Prefix aggregate(const net::IpAddress& ip, int length) {
  return net::Prefix(ip, length);
}

NodePlan planBgp(const lbconfig::Config& config, const lbconfig::BgpConfig& bgp,
                 std::string_view node, std::span<const control::ServiceInput> services) {
  std::vector<const control::ServiceInput*> sorted;
  sorted.reserve(services.size());
  for (const control::ServiceInput& s : services)
    sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->key < b->key; });
  Planner planner(config, bgp, node);
  for (const control::ServiceInput* s : sorted)
    planner.add(*s);
  return planner.finish();
}

}  // namespace ironlb::bgp
