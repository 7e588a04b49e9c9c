#include "common/lbconfig/config.h"

#include <algorithm>
#include <set>

namespace ironlb::lbconfig {
namespace {

const Labels& emptyLabels() {
  static const Labels kEmpty;
  return kEmpty;
}

}  // namespace

bool L2Advertisement::selectsService(const Labels& serviceLabels) const {
  return anyMatches(serviceSelectors, serviceLabels, true);
}

bool L2Advertisement::selectsNodeLabels(const Labels& nodeLabels) const {
  return anyMatches(nodeSelectors, nodeLabels, true);
}

bool InterfaceSet::contains(std::string_view interfaceName) const {
  return all || std::binary_search(names.begin(), names.end(), interfaceName, std::less<>());
}

Config::Config(PoolMap pools, std::vector<L2Advertisement> advertisements, NamespaceMap namespaces,
               NodeMap nodes, ConfigOptions options, BgpConfig bgp)
    : pools_(std::move(pools)),
      advertisements_(std::move(advertisements)),
      namespaces_(std::move(namespaces)),
      nodes_(std::move(nodes)),
      options_(std::move(options)),
      bgp_(std::move(bgp)) {
  buildIndexes();
}

Config::Config(const Config& other)
    : pools_(other.pools_),
      advertisements_(other.advertisements_),
      namespaces_(other.namespaces_),
      nodes_(other.nodes_),
      options_(other.options_),
      bgp_(other.bgp_) {
  buildIndexes();  // the copied index would point into `other`
}

Config& Config::operator=(const Config& other) {
  if (this != &other) *this = Config(other);
  return *this;
}

void Config::buildIndexes() {
  ranges_.clear();
  for (const auto& [name, pool] : pools_) {
    for (const PoolRange& r : pool.ranges)
      ranges_.push_back(IndexedRange{r.range, &pool});
  }
  std::sort(ranges_.begin(), ranges_.end(), [](const IndexedRange& a, const IndexedRange& b) {
    return a.range.first() < b.range.first();
  });
  poolAdvertisements_.clear();
  for (std::size_t i = 0; i < advertisements_.size(); ++i) {
    for (const std::string& pool : advertisements_[i].pools)
      poolAdvertisements_[pool].push_back(i);
  }
}

const Pool* Config::pool(std::string_view name) const {
  const auto it = pools_.find(name);
  return it == pools_.end() ? nullptr : &it->second;
}

const Pool* Config::poolContaining(const net::IpAddress& ip) const {
  // Ranges do not overlap, so only the last range starting at or before `ip` can contain it.
  auto it = std::upper_bound(
      ranges_.begin(), ranges_.end(), ip,
      [](const net::IpAddress& a, const IndexedRange& r) { return a < r.range.first(); });
  if (it == ranges_.begin()) return nullptr;
  --it;
  return it->range.contains(ip) ? it->pool : nullptr;
}

const Labels& Config::namespaceLabels(std::string_view ns) const {
  const auto it = namespaces_.find(ns);
  return it == namespaces_.end() ? emptyLabels() : it->second;
}

ServiceView Config::serviceView(std::string_view ns, const Labels& serviceLabels) const {
  return ServiceView{ns, namespaceLabels(ns), serviceLabels};
}

bool Config::admits(const Pool& pool, std::string_view ns, const Labels& serviceLabels) const {
  return pool.admits(serviceView(ns, serviceLabels));
}

Config::Advertisements Config::advertisementsFor(std::string_view pool,
                                                 const Labels& serviceLabels) const {
  Advertisements out;
  const auto it = poolAdvertisements_.find(pool);
  if (it == poolAdvertisements_.end()) return out;
  for (std::size_t i : it->second) {
    if (advertisements_[i].selectsService(serviceLabels)) out.push_back(&advertisements_[i]);
  }
  return out;
}

Config::Advertisements Config::advertisementsFor(const net::IpAddress& ip,
                                                 const Labels& serviceLabels) const {
  const Pool* p = poolContaining(ip);
  return p == nullptr ? Advertisements{} : advertisementsFor(p->name, serviceLabels);
}

bool Config::isAdvertised(std::string_view pool) const {
  return poolAdvertisements_.find(pool) != poolAdvertisements_.end();
}

const NodeInfo* Config::node(std::string_view name) const {
  const auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

bool Config::nodeMayAnnounce(std::string_view name) const {
  const NodeInfo* n = node(name);
  return n != nullptr && !n->networkUnavailable &&
         (options_.ignoreExcludeLbLabel || !n->excludedFromLoadBalancers);
}

bool Config::selectsNode(const L2Advertisement& advertisement, std::string_view name) const {
  const NodeInfo* n = node(name);
  return n != nullptr && advertisement.selectsNodeLabels(n->labels);
}

std::vector<std::string> Config::candidateNodes(const Advertisements& advertisements) const {
  std::vector<std::string> out;
  if (advertisements.empty()) return out;
  for (const auto& entry : nodes_) {  // map order: sorted by name
    const std::string& name = entry.first;
    const NodeInfo& info = entry.second;  // not a structured binding: clang 14 cannot capture those
    if (!nodeMayAnnounce(name)) continue;
    const bool selected =
        std::any_of(advertisements.begin(), advertisements.end(),
                    [&](const L2Advertisement* a) { return a->selectsNodeLabels(info.labels); });
    if (selected) out.push_back(name);
  }
  return out;
}

InterfaceSet Config::interfacesOn(std::string_view nodeName,
                                  const Advertisements& advertisements) const {
  InterfaceSet out;
  const NodeInfo* n = node(nodeName);
  if (n == nullptr) return out;
  std::set<std::string, std::less<>> names;
  for (const L2Advertisement* a : advertisements) {
    if (!a->selectsNodeLabels(n->labels)) continue;
    if (a->allInterfaces()) return InterfaceSet{true, {}};
    names.insert(a->interfaces.begin(), a->interfaces.end());
  }
  out.names.assign(names.begin(), names.end());
  return out;
}

}  // namespace ironlb::lbconfig
