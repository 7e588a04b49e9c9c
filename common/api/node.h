#pragma once
// Node and Namespace (core/v1): cluster-scoped objects whose labels feed selectors
// (L2Advertisement nodeSelectors, serviceAllocation namespaceSelectors) and, for Nodes, the
// condition that keeps a node from announcing.

#include <string>
#include <vector>

#include "common/api/object_meta.h"

namespace ironlb::api {

struct NodeCondition {
  std::string type;    // "Ready", "NetworkUnavailable", ...
  std::string status;  // "True", "False", "Unknown"

  friend bool operator==(const NodeCondition&, const NodeCondition&) = default;
};

// status.addresses[]: how to reach the node ("InternalIP", "ExternalIP", "Hostname", ...). The
// speaker finds its peers' membership endpoints here.
struct NodeAddress {
  std::string type;
  std::string address;

  friend bool operator==(const NodeAddress&, const NodeAddress&) = default;
};

struct Node {
  ObjectMeta meta;
  std::vector<NodeCondition> conditions;
  std::vector<NodeAddress> addresses;

  // Condition NetworkUnavailable has status "True" (such a node never announces:
  // docs/announcement.md).
  bool networkUnavailable() const;

  friend bool operator==(const Node&, const Node&) = default;
};

struct Namespace {
  ObjectMeta meta;

  friend bool operator==(const Namespace&, const Namespace&) = default;
};

}  // namespace ironlb::api
