#pragma once
// ServiceInput: what the election needs to know about one LoadBalancer Service, distilled from
// the Service and its EndpointSlices (docs/announcement.md): its LB IPs in status order (the first
// one keys the election), its labels (L2Advertisement serviceSelectors), externalTrafficPolicy, and
// where its serving endpoints are. Pure conversions from the plain API structs; no JSON.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/endpoint_slice.h"
#include "common/api/service.h"
#include "common/lbconfig/labels.h"
#include "common/net/ip_address.h"

namespace ironlb::control {

struct ServiceInput {
  std::string key;  // "namespace/name"
  lbconfig::Labels labels;
  std::vector<net::IpAddress> ips;        // status.loadBalancer.ingress[].ip: in order, unique
  bool local = false;                     // externalTrafficPolicy: Local
  bool serving = false;                   // a serving endpoint exists somewhere
  std::vector<std::string> servingNodes;  // nodes hosting a serving endpoint; sorted, unique

  friend bool operator==(const ServiceInput&, const ServiceInput&) = default;
};

// One EndpointSlice reduced to what the election reads. A serving endpoint without a nodeName
// makes the Service serving but puts no node in `servingNodes`.
struct SliceSummary {
  bool serving = false;
  std::vector<std::string> servingNodes;  // sorted, unique

  friend bool operator==(const SliceSummary&, const SliceSummary&) = default;
};

SliceSummary summarize(const api::EndpointSlice& slice);

// Whether the speaker handles this Service at all: type LoadBalancer, not being deleted, and
// the loadBalancerClass rule (api::handlesClass; `lb_class` "" = none configured).
bool handles(const api::Service& service, std::string_view lbClass);

struct ConversionResult {
  std::optional<ServiceInput> input;    // nullopt: not handled, or no valid LB IP
  std::vector<std::string> invalidIps;  // ingress entries whose ip does not parse
};

ConversionResult toServiceInput(const api::Service& service, std::span<const SliceSummary> slices,
                                std::string_view lbClass);

}  // namespace ironlb::control
