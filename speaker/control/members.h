#pragma once
// Members: who should run a speaker, from the Node objects. Pure.
//
// Decision (documented in speaker/daemon/README.md): the expected member set is every Node, at
// its InternalIP and the cluster-wide memberlist port. Nodes are what the API server knows
// without a kubelet in the loop, every speaker sees the same list, and a Node without a
// running speaker costs only a slow revival probe (membership README) until one starts. Speaker
// Pods would narrow the list to nodes where the DaemonSet runs, but need pod IPs (a kubelet) to
// be useful; with hostNetwork the Node's InternalIP is the pod IP anyway.
//
// The address family follows our own memberlist address: a node's first InternalIP of that
// family, else its first InternalIP of any family (a cluster must use one family for
// membership; a mismatch is reported as a skipped node).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/api/node.h"
#include "common/net/ip_address.h"
#include "speaker/membership/types.h"

namespace ironlb::control {

struct MemberPlan {
  std::vector<membership::MemberSpec> members;  // sorted by name
  std::vector<std::string> skipped;             // "worker-3: no InternalIP" (for logs)
};

MemberPlan membersFromNodes(std::span<const api::Node* const> nodes, net::Family family,
                            uint16_t port);

}  // namespace ironlb::control
