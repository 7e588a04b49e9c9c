#pragma once
// ServiceIntent: what one Service asks of the controller, read from its API object: whether the
// controller handles it at all (type and loadBalancerClass), and the allocator's ServiceRequest
// (annotations under both prefixes, requested IPs, sharing and backend keys, ports, families).
// Pure: no I/O; a bad value becomes a message for an event, never an exception.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/service.h"
#include "common/lbconfig/labels.h"
#include "common/net/ip_address.h"
#include "common/util/result.h"
#include "controller/allocator/service_request.h"
#include "controller/reconciler/annotations.h"

namespace ironlb::reconciler {

enum class Scope : uint8_t {
  kOtherClass,       // a LoadBalancer with a loadBalancerClass this controller does not serve
  kNotLoadBalancer,  // ours to clean up (release its IPs, drop our annotation); nothing to assign
  kLoadBalancer,     // ours to assign
};

// `lb_class` "" (the default): only LoadBalancers without a class; otherwise exactly that class
// (docs/services.md).
Scope scopeOf(const api::Service& service, std::string_view lbClass);

struct ServiceIntent {
  allocator::ServiceRequest request;
  // Annotation keys with the deprecated prefix that the Service uses, sorted.
  std::vector<std::string> deprecatedAnnotations;
  // Annotations set under both prefixes with disagreeing values (the preferred one applies).
  std::vector<AnnotationConflict> annotationConflicts;
  // Why the requested IPs cannot be used (not an IP, an address no host can use such as
  // 127.0.0.1 or 224.0.0.1, or both the loadBalancerIPs annotation and spec.loadBalancerIP set);
  // request.requested_ips is then empty. "" when there is no problem.
  std::string requestError;
};

// Fails only when the Service cannot be described at all (no IP family, a port the allocator
// cannot represent); a bad request for IPs is reported in `requestError` instead, so that a
// Service keeps what it holds while its annotation has a typo.
Result<ServiceIntent> serviceIntent(const api::Service& service,
                                    const lbconfig::Labels& namespaceLabels);

// "namespace/name", the key of a Service everywhere in the controller.
std::string serviceKey(const api::Service& service);

// MetalLB's backend key: "" for externalTrafficPolicy Cluster; for Local the pod selector as
// "k1=v1,k2=v2" (keys sorted), since Local Services may only share an IP when they select the
// same pods.
std::string backendKey(const api::Service& service);

// The IPs in status.loadBalancer.ingress, in order. Entries without an ip (hostnames) are
// skipped; text that is not an IP fails with a message naming it.
Result<std::vector<net::IpAddress>> statusIps(const api::Service& service);

}  // namespace ironlb::reconciler
