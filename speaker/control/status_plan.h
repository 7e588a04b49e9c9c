#pragma once
// StatusPlan: the ServiceL2Status (or ServiceBGPStatus) writes this node owes, from what it
// announces and the objects it owns (label metallb.io/node = this node). Pure: one call returns the
// next write; the daemon executes it and calls again with the result folded in, so a crash or an
// API outage at any point converges on the next pass.
//
// One object per (Service, announcing node), as MetalLB: generateName "l2-", labels
// metallb.io/node, metallb.io/service-name, metallb.io/service-namespace; status.node,
// serviceName, serviceNamespace and the kind's list ("items" here): ServiceL2Status's
// interfaces[].name, ServiceBGPStatus's peers ("bgp-" objects). Created when the node starts
// announcing the Service, its status updated when the items change, deleted when it stops. Objects
// of other nodes are never touched (a node that died leaves its object until its speaker starts
// again, as with MetalLB).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ironlb::control {

inline constexpr const char* kL2StatusNodeLabel = "metallb.io/node";
inline constexpr const char* kL2StatusServiceNameLabel = "metallb.io/service-name";
inline constexpr const char* kL2StatusServiceNamespaceLabel = "metallb.io/service-namespace";

using ServiceRef = std::pair<std::string, std::string>;  // (namespace, name)

// What this node announces for a Service: the interfaces (L2) or peers (BGP), sorted.
using AnnouncedServices = std::map<ServiceRef, std::vector<std::string>>;

struct OwnedStatus {
  std::string name;  // object name (l2-xxxxx)
  std::string uid;
  ServiceRef service;              // from the labels
  bool hasStatus = false;          // status.node is set (a create is followed by a status write)
  std::vector<std::string> items;  // status.interfaces[].name or status.peers, sorted
  std::string statusNode;
};

struct StatusOp {
  enum class Kind { kCreate, kUpdateStatus, kDelete };
  Kind kind = Kind::kCreate;
  ServiceRef service;
  std::string name;  // kUpdateStatus, kDelete
  std::string uid;   // kDelete precondition
  std::vector<std::string> items;

  friend bool operator==(const StatusOp&, const StatusOp&) = default;
};

// The next write, or nullopt when the owned objects match. Deletes of objects nobody wants
// come first (so a Service that moved away never shows two of our objects), then creates,
// then status updates. Two objects for one Service: the extra ones are deleted.
std::optional<StatusOp> nextStatusOp(const std::string& node, const AnnouncedServices& desired,
                                     const std::vector<OwnedStatus>& owned);

}  // namespace ironlb::control
