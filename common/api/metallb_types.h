#pragma once
// The metallb.io/v1beta1 custom resources ironlb reads and writes (IPAddressPool,
// L2Advertisement, ServiceL2Status), as plain structs (JSON mapping: metallb_types_json.h).
// Field names follow the CRDs so existing MetalLB manifests decode unchanged; BGP-side kinds are
// not modelled (ironlb ignores them).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/api/label_selector.h"
#include "common/api/object_meta.h"

namespace ironlb::api {

inline constexpr std::string_view kMetalLBApiVersion = "metallb.io/v1beta1";

struct ServiceAllocation {
  int32_t priority = 0;
  std::vector<std::string> namespaces;
  std::vector<LabelSelector> namespaceSelectors;
  std::vector<LabelSelector> serviceSelectors;

  friend bool operator==(const ServiceAllocation&, const ServiceAllocation&) = default;
};

struct IPAddressPoolSpec {
  std::vector<std::string> addresses;  // CIDRs or "first-last" ranges, as written
  bool autoAssign = true;              // CRD default
  bool avoidBuggyIps = false;
  std::optional<ServiceAllocation> serviceAllocation;

  friend bool operator==(const IPAddressPoolSpec&, const IPAddressPoolSpec&) = default;
};

// Written by the controller through the status subresource. Huge IPv6 pools saturate at
// INT64_MAX (MetalLB does the same).
struct IPAddressPoolStatus {
  int64_t assignedIpv4 = 0;
  int64_t assignedIpv6 = 0;
  int64_t availableIpv4 = 0;
  int64_t availableIpv6 = 0;
  // deletionBlockedBy (an ironlb addition, docs/allocation.md): while the pool is being deleted,
  // the Services that keep it (at most 10, by name); absent otherwise.
  std::vector<std::string> deletionBlockedBy;

  friend bool operator==(const IPAddressPoolStatus&, const IPAddressPoolStatus&) = default;
};

struct IPAddressPool {
  ObjectMeta meta;
  IPAddressPoolSpec spec;
  IPAddressPoolStatus status;

  friend bool operator==(const IPAddressPool&, const IPAddressPool&) = default;
};

struct L2AdvertisementSpec {
  std::vector<std::string> ipAddressPools;
  std::vector<LabelSelector> ipAddressPoolSelectors;
  std::vector<LabelSelector> nodeSelectors;
  std::vector<std::string> interfaces;
  std::vector<LabelSelector> serviceSelectors;

  friend bool operator==(const L2AdvertisementSpec&, const L2AdvertisementSpec&) = default;
};

struct L2Advertisement {
  ObjectMeta meta;
  L2AdvertisementSpec spec;

  friend bool operator==(const L2Advertisement&, const L2Advertisement&) = default;
};

struct ServiceL2StatusStatus {
  std::string node;
  std::string serviceName;
  std::string serviceNamespace;
  std::vector<std::string> interfaces;  // status.interfaces[].name

  friend bool operator==(const ServiceL2StatusStatus&, const ServiceL2StatusStatus&) = default;
};

// One per announced Service, owned by the announcing node's speaker (docs/custom-resources.md).
struct ServiceL2Status {
  ObjectMeta meta;
  ServiceL2StatusStatus status;

  friend bool operator==(const ServiceL2Status&, const ServiceL2Status&) = default;
};

struct ServiceBGPStatusStatus {
  std::string node;
  std::string serviceName;
  std::string serviceNamespace;
  std::vector<std::string> peers;  // status.peers: BGPPeer names

  friend bool operator==(const ServiceBGPStatusStatus&, const ServiceBGPStatusStatus&) = default;
};

// BGP mode's counterpart of ServiceL2Status: which peers a node announces a Service to
// (docs/bgp.md). Same labels and ownership.
struct ServiceBGPStatus {
  ObjectMeta meta;
  ServiceBGPStatusStatus status;

  friend bool operator==(const ServiceBGPStatus&, const ServiceBGPStatus&) = default;
};

}  // namespace ironlb::api
