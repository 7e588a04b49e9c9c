#pragma once
// StatusKind: what differs between the two per-Service status objects a speaker writes,
// ServiceL2Status (layer 2: the interfaces) and ServiceBGPStatus (BGP mode: the peers). Both
// carry the same labels (control/status_plan.h), are owned by the speaker's Pod, and are kept
// by one StatusSync each (docs/custom-resources.md, docs/bgp.md).

#include <string>
#include <vector>

#include "common/api/object_meta.h"
#include "common/k8s/api_client.h"
#include "common/k8s/resource.h"
#include "common/util/result.h"
#include "speaker/control/status_plan.h"

namespace ironlb::speaker {

// An object of ours as StatusSync reads it.
struct StatusFields {
  api::ObjectMeta meta;
  std::string node;                // status.node
  std::vector<std::string> items;  // interfaces or peers, as served
};

struct StatusKind {
  const k8s::ResourceType* type;
  const char* workerName;
  // Decodes an object (with the fuzzed api decoders): an error names the field.
  Result<StatusFields> (*decode)(const k8s::Json& object);
  // The whole object this node owes for `op`: labels, generateName, status.
  k8s::Json (*encode)(const std::string& ns, const std::string& node, const control::StatusOp& op);
};

extern const StatusKind kL2StatusKind;   // servicel2statuses, generateName "l2-"
extern const StatusKind kBgpStatusKind;  // servicebgpstatuses, generateName "bgp-"

}  // namespace ironlb::speaker
