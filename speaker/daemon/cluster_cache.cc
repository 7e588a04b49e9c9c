// ClusterCache: typed objects and what each change affects.
#include "speaker/daemon/cluster_cache.h"

namespace ironlb::speaker {
namespace {

std::string key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

std::vector<api::NodeAddress> internalIps(const api::Node& n) {
  std::vector<api::NodeAddress> out;
  for (const auto& a : n.addresses)
    if (a.type == "InternalIP") out.push_back(a);
  return out;
}

}  // namespace

std::string ClusterCache::putService(api::Service service) {
  std::string k = key(service.meta.ns, service.meta.name);
  services_[k] = std::move(service);
  return k;
}

std::string ClusterCache::removeService(const std::string& ns, const std::string& name) {
  std::string k = key(ns, name);
  services_.erase(k);
  return k;
}

std::vector<std::string> ClusterCache::putSlice(const api::EndpointSlice& slice) {
  const std::string k = key(slice.meta.ns, slice.meta.name);
  const std::string owner =
      slice.serviceName().empty() ? "" : key(slice.meta.ns, slice.serviceName());
  std::vector<std::string> affected = removeSlice(slice.meta.ns, slice.meta.name);
  if (owner.empty()) return affected;
  slices_[k] = SliceEntry{owner, control::summarize(slice)};
  serviceSlices_[owner].insert(k);
  if (affected.empty() || affected.front() != owner) affected.push_back(owner);
  return affected;
}

std::vector<std::string> ClusterCache::removeSlice(const std::string& ns, const std::string& name) {
  const std::string k = key(ns, name);
  auto it = slices_.find(k);
  if (it == slices_.end()) return {};
  std::string owner = it->second.service;
  slices_.erase(it);
  serviceSlices_[owner].erase(k);
  if (serviceSlices_[owner].empty()) serviceSlices_.erase(owner);
  return {owner};
}

const api::Service* ClusterCache::service(const std::string& k) const {
  auto it = services_.find(k);
  return it == services_.end() ? nullptr : &it->second;
}

control::ConversionResult ClusterCache::serviceInput(const std::string& k,
                                                     std::string_view lbClass) const {
  const api::Service* svc = service(k);
  if (svc == nullptr) return {};
  std::vector<control::SliceSummary> summaries;
  if (auto it = serviceSlices_.find(k); it != serviceSlices_.end())
    for (const auto& slice : it->second)
      summaries.push_back(slices_.at(slice).summary);
  return control::toServiceInput(*svc, summaries, lbClass);
}

NodeEffect ClusterCache::putNode(const api::Node& node) {
  NodeEffect effect;
  auto it = nodes_.find(node.meta.name);
  if (it == nodes_.end()) {
    effect = {true, true};
  } else {
    const api::Node& old = it->second;
    effect.config = old.meta.labels != node.meta.labels ||
                    old.networkUnavailable() != node.networkUnavailable();
    effect.members = internalIps(old) != internalIps(node);
  }
  // Only what the speaker reads is kept (Node objects carry images, volumes, conditions...).
  api::Node slim;
  slim.meta.name = node.meta.name;
  slim.meta.labels = node.meta.labels;
  if (node.networkUnavailable()) slim.conditions.push_back({"NetworkUnavailable", "True"});
  slim.addresses = internalIps(node);
  nodes_[node.meta.name] = std::move(slim);
  return effect;
}

NodeEffect ClusterCache::removeNode(const std::string& name) {
  return nodes_.erase(name) ? NodeEffect{true, true} : NodeEffect{};
}

bool ClusterCache::putPool(api::IPAddressPool pool) {
  const std::string k = key(pool.meta.ns, pool.meta.name);
  auto it = pools_.find(k);
  if (it != pools_.end() && it->second.spec == pool.spec &&
      it->second.meta.labels == pool.meta.labels)
    return false;  // status-only update (the controller writes counters)
  pools_[k] = std::move(pool);
  return true;
}

bool ClusterCache::removePool(const std::string& ns, const std::string& name) {
  return pools_.erase(key(ns, name)) != 0;
}

bool ClusterCache::putAdvertisement(api::L2Advertisement ad) {
  const std::string k = key(ad.meta.ns, ad.meta.name);
  auto it = ads_.find(k);
  if (it != ads_.end() && it->second.spec == ad.spec && it->second.meta.labels == ad.meta.labels)
    return false;
  ads_[k] = std::move(ad);
  return true;
}

bool ClusterCache::removeAdvertisement(const std::string& ns, const std::string& name) {
  return ads_.erase(key(ns, name)) != 0;
}

bool ClusterCache::putNamespace(const api::Namespace& ns) {
  auto it = namespaces_.find(ns.meta.name);
  if (it != namespaces_.end() && it->second.meta.labels == ns.meta.labels) return false;
  api::Namespace slim;
  slim.meta.name = ns.meta.name;
  slim.meta.labels = ns.meta.labels;
  namespaces_[ns.meta.name] = std::move(slim);
  return true;
}

bool ClusterCache::removeNamespace(const std::string& name) {
  return namespaces_.erase(name) != 0;
}

bool ClusterCache::putConfig(lbconfig::ConfigObject object) {
  return std::visit(
      [this](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, api::IPAddressPool>) {
          return putPool(std::move(o));
        } else if constexpr (std::is_same_v<T, api::L2Advertisement>) {
          return putAdvertisement(std::move(o));
        } else {
          return putBgp(std::move(o));
        }
      },
      object);
}

bool ClusterCache::removeConfig(std::string_view kind, const std::string& ns,
                                const std::string& name) {
  if (kind == "IPAddressPool") return removePool(ns, name);
  if (kind == "L2Advertisement") return removeAdvertisement(ns, name);
  return removeBgp(kind, ns, name);
}

bool ClusterCache::removeBgp(std::string_view kind, const std::string& ns,
                             const std::string& name) {
  const std::string k = key(ns, name);
  if (kind == "BGPPeer") return bgpPeers_.erase(k) != 0;
  if (kind == "BGPAdvertisement") return bgpAds_.erase(k) != 0;
  if (kind == "BFDProfile") return bfdProfiles_.erase(k) != 0;
  if (kind == "Community") return communities_.erase(k) != 0;
  return false;
}

lbconfig::Snapshot ClusterCache::snapshot() const {
  lbconfig::Snapshot s;
  for (const auto& [k, p] : pools_)
    s.pools.push_back(p);
  for (const auto& [k, a] : ads_)
    s.l2Advertisements.push_back(a);
  for (const auto& [k, n] : namespaces_)
    s.namespaces.push_back(n);
  for (const auto& [k, n] : nodes_)
    s.nodes.push_back(n);
  for (const auto& [k, p] : bgpPeers_)
    s.bgp.peers.push_back(p);
  for (const auto& [k, a] : bgpAds_)
    s.bgp.advertisements.push_back(a);
  for (const auto& [k, b] : bfdProfiles_)
    s.bgp.bfdProfiles.push_back(b);
  for (const auto& [k, c] : communities_)
    s.bgp.communities.push_back(c);
  return s;
}

control::MemberPlan ClusterCache::members(net::Family family, uint16_t port) const {
  std::vector<const api::Node*> nodes;
  nodes.reserve(nodes_.size());
  for (const auto& [k, n] : nodes_)
    nodes.push_back(&n);
  return control::membersFromNodes(nodes, family, port);
}

const api::Node* ClusterCache::node(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

}  // namespace ironlb::speaker
