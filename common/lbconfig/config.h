#pragma once
// Config: the validated configuration both daemons work from, built by lbconfig::build from
// the pools, advertisements, namespaces and nodes in the cluster. Every question a daemon asks
// of it is one call:
//  - controller: pool by name, pool containing an IP (restoring assignments), whether a pool
//    admits a Service (with the namespace's labels looked up);
//  - speaker: the advertisements that apply to a Service's IP, the nodes that may announce it
//    (from configuration alone), the interfaces to announce on from one node.
// A Config is immutable once built; copies are independent.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/lbconfig/bgp_config.h"
#include "common/lbconfig/label_selector.h"
#include "common/lbconfig/labels.h"
#include "common/lbconfig/pool.h"
#include "common/net/ip_address.h"
#include "common/net/ip_range.h"

namespace ironlb::lbconfig {

// Any value of this Node label keeps the node from announcing (docs/announcement.md), unless the
// speaker runs with ignoreExcludeLB.
inline constexpr std::string_view kExcludeFromLoadBalancersLabel =
    "node.kubernetes.io/exclude-from-external-load-balancers";

struct NodeInfo {
  std::string name;
  Labels labels;
  bool networkUnavailable = false;         // condition NetworkUnavailable=True
  bool excludedFromLoadBalancers = false;  // kExcludeFromLoadBalancersLabel present

  friend bool operator==(const NodeInfo&, const NodeInfo&) = default;
};

// One validated L2Advertisement with its pool references resolved.
struct L2Advertisement {
  std::string name;
  // ipAddressPools ∪ pools matched by ipAddressPoolSelectors (every pool when both were
  // empty), existing pools only; sorted, unique.
  std::vector<std::string> pools;
  std::vector<LabelSelector> nodeSelectors;     // ORed; empty = every node
  std::vector<std::string> interfaces;          // sorted, unique; empty = every eligible one
  std::vector<LabelSelector> serviceSelectors;  // ORed; empty = every Service

  bool allInterfaces() const { return interfaces.empty(); }
  bool selectsService(const Labels& serviceLabels) const;
  bool selectsNodeLabels(const Labels& nodeLabels) const;

  friend bool operator==(const L2Advertisement&, const L2Advertisement&) = default;
};

// Interfaces to announce on from one node: the union over the advertisements that select the
// node; one advertisement without an interface list makes it "all" (docs/custom-resources.md).
struct InterfaceSet {
  bool all = false;
  std::vector<std::string> names;  // sorted, unique; empty when `all`

  // No advertisement selects the node: announce nowhere.
  bool none() const { return !all && names.empty(); }
  bool contains(std::string_view interfaceName) const;

  friend bool operator==(const InterfaceSet&, const InterfaceSet&) = default;
};

struct ConfigOptions {
  std::string installNamespace;
  // speaker.ignoreExcludeLB: announce from nodes carrying kExcludeFromLoadBalancersLabel.
  bool ignoreExcludeLbLabel = false;

  friend bool operator==(const ConfigOptions&, const ConfigOptions&) = default;
};

class Config {
 public:
  using PoolMap = std::map<std::string, Pool, std::less<>>;
  using NamespaceMap = std::map<std::string, Labels, std::less<>>;
  using NodeMap = std::map<std::string, NodeInfo, std::less<>>;
  using Advertisements = std::vector<const L2Advertisement*>;

  Config() = default;  // no pools, no advertisements
  // The parts must already be valid (lbconfig::build checks them): pool ranges must not
  // overlap and advertisements must be sorted by name and reference existing pools.
  // Public so that tests of other modules can build a Config without API objects.
  Config(PoolMap pools, std::vector<L2Advertisement> advertisements, NamespaceMap namespaces,
         NodeMap nodes, ConfigOptions options, BgpConfig bgp = {});
  Config(const Config& other);
  Config& operator=(const Config& other);
  Config(Config&&) = default;  // std::map keeps its nodes: the index stays valid
  Config& operator=(Config&&) = default;

  // --- pools -------------------------------------------------------------------------------
  const PoolMap& pools() const { return pools_; }
  const Pool* pool(std::string_view name) const;
  // The pool with a range containing `ip`, or nullptr. O(log ranges).
  const Pool* poolContaining(const net::IpAddress& ip) const;

  // --- namespaces and Services (controller) --------------------------------------------------
  const NamespaceMap& namespaces() const { return namespaces_; }
  // Labels of a namespace; empty when the namespace is unknown.
  const Labels& namespaceLabels(std::string_view ns) const;
  // What Pool::admits needs to know about a Service in namespace `ns`; `serviceLabels` must
  // outlive the returned view.
  ServiceView serviceView(std::string_view ns, const Labels& serviceLabels) const;
  // pool.admits(serviceView(ns, serviceLabels)).
  bool admits(const Pool& pool, std::string_view ns, const Labels& serviceLabels) const;

  // --- advertisements and nodes (speaker, docs/announcement.md)
  // --------------------------------------
  const std::vector<L2Advertisement>& l2Advertisements() const { return advertisements_; }
  // Advertisements of `pool` whose serviceSelectors match the Service, in name order.
  Advertisements advertisementsFor(std::string_view pool, const Labels& serviceLabels) const;
  // The same for the pool that contains `ip` (empty when no pool does).
  Advertisements advertisementsFor(const net::IpAddress& ip, const Labels& serviceLabels) const;
  // Whether any advertisement selects the pool at all (a pool nobody announces is a warning).
  bool isAdvertised(std::string_view pool) const;

  const NodeMap& nodes() const { return nodes_; }
  const NodeInfo* node(std::string_view name) const;
  // The node is known, not NetworkUnavailable, and not excluded by label (unless
  // ignoreExcludeLbLabel).
  bool nodeMayAnnounce(std::string_view node) const;
  // The advertisement's nodeSelectors select the node (false for an unknown node).
  bool selectsNode(const L2Advertisement& advertisement, std::string_view node) const;
  // Nodes that may announce for these advertisements, from configuration alone: selected by at
  // least one of them and nodeMayAnnounce. Sorted by name. The speaker intersects this with
  // live speakers and, for externalTrafficPolicy: Local, nodes with serving endpoints.
  std::vector<std::string> candidateNodes(const Advertisements& advertisements) const;
  // The interfaces `node` announces on for these advertisements (only those selecting it).
  InterfaceSet interfacesOn(std::string_view node, const Advertisements& advertisements) const;

  const ConfigOptions& options() const { return options_; }

  // --- BGP mode (docs/bgp.md): peers, BGP advertisements, BFD profiles -----------------------
  const BgpConfig& bgp() const { return bgp_; }

  friend bool operator==(const Config& a, const Config& b) {
    return a.pools_ == b.pools_ && a.advertisements_ == b.advertisements_ &&
           a.namespaces_ == b.namespaces_ && a.nodes_ == b.nodes_ && a.options_ == b.options_ &&
           a.bgp_ == b.bgp_;
  }

 private:
  struct IndexedRange {
    net::IpRange range;
    const Pool* pool;
  };

  void buildIndexes();

  PoolMap pools_;
  std::vector<L2Advertisement> advertisements_;
  NamespaceMap namespaces_;
  NodeMap nodes_;
  ConfigOptions options_;
  BgpConfig bgp_;

  // Derived from the above (rebuilt on copy): every range sorted by first address, and each
  // pool's advertisements as indexes into advertisements_.
  std::vector<IndexedRange> ranges_;
  std::map<std::string, std::vector<std::size_t>, std::less<>> poolAdvertisements_;
};

}  // namespace ironlb::lbconfig
