#pragma once
// ServiceRequest: everything the allocator needs to know about one LoadBalancer Service, already
// extracted from the API object by the controller (annotations parsed, families resolved). The
// allocator never sees Kubernetes types.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/lbconfig/labels.h"
#include "common/net/ip_address.h"

namespace ironlb::allocator {

enum class Protocol : uint8_t { kTcp, kUdp, kSctp };
std::string_view protocolName(Protocol protocol);  // "TCP", "UDP", "SCTP"

struct ServicePort {
  Protocol protocol = Protocol::kTcp;
  uint16_t port = 0;

  friend auto operator<=>(const ServicePort&, const ServicePort&) = default;
};

enum class FamilyPolicy : uint8_t { kSingleStack, kPreferDualStack, kRequireDualStack };

struct ServiceRequest {
  std::string key;  // "namespace/name": the identity of the Service everywhere in the allocator
  std::string ns;
  lbconfig::Labels namespaceLabels;
  lbconfig::Labels labels;
  // metallb.io/loadBalancerIPs or spec.loadBalancerIP, parsed; at most one per family.
  std::vector<net::IpAddress> requestedIps;
  std::string requestedPool;  // metallb.io/address-pool, "" when absent
  std::string sharingKey;     // metallb.io/allow-shared-ip, "" when absent
  // "" for externalTrafficPolicy Cluster; the pod selector string for Local (MetalLB's rule:
  // Local Services may only share an IP when they select the same pods).
  std::string backendKey;
  std::vector<ServicePort> ports;
  FamilyPolicy familyPolicy = FamilyPolicy::kSingleStack;
  std::vector<net::Family> families;  // spec.ipFamilies, primary first (1 or 2 entries)
};

}  // namespace ironlb::allocator
