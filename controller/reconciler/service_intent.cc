#include "controller/reconciler/service_intent.h"

#include <algorithm>

#include "common/api/load_balancer_class.h"
#include "common/lbconfig/unusable_addresses.h"
#include "common/util/strings.h"

namespace ironlb::reconciler {
namespace {

// "192.0.2.1, 2001:db8::1" -> IPs; every entry must be an address.
Result<std::vector<net::IpAddress>> parseIpList(std::string_view key, std::string_view text) {
  std::vector<net::IpAddress> out;
  for (const std::string_view part : util::splitList(text)) {
    const std::string_view entry = util::trim(part, util::kSpaceTab);
    auto ip = net::IpAddress::parse(entry);
    if (!ip) {
      return makeError("annotation " + std::string(key) + ": \"" + std::string(text) +
                       "\": entry \"" + std::string(entry) + "\" is not an IP address (" +
                       ip.error() + ")");
    }
    if (auto why = lbconfig::whyUnusable(*ip)) {
      return makeError("annotation " + std::string(key) + ": \"" + std::string(text) +
                       "\": " + *why);
    }
    out.push_back(*ip);
  }
  return out;
}

Result<allocator::Protocol> protocolOf(const api::ServicePort& port) {
  if (port.protocol == "TCP") return allocator::Protocol::kTcp;
  if (port.protocol == "UDP") return allocator::Protocol::kUdp;
  if (port.protocol == "SCTP") return allocator::Protocol::kSctp;
  return makeError("spec.ports: unknown protocol \"" + port.protocol + "\"");
}

allocator::FamilyPolicy policyOf(const api::Service& service) {
  if (!service.spec.ipFamilyPolicy) return allocator::FamilyPolicy::kSingleStack;
  switch (*service.spec.ipFamilyPolicy) {
    case api::IpFamilyPolicy::kSingleStack:
      return allocator::FamilyPolicy::kSingleStack;
    case api::IpFamilyPolicy::kPreferDualStack:
      return allocator::FamilyPolicy::kPreferDualStack;
    case api::IpFamilyPolicy::kRequireDualStack:
      return allocator::FamilyPolicy::kRequireDualStack;
  }
  return allocator::FamilyPolicy::kSingleStack;
}

// spec.ipFamilies; on objects that predate it, the families of the cluster IPs.
std::vector<net::Family> familiesOf(const api::Service& service) {
  if (!service.spec.ipFamilies.empty()) return service.spec.ipFamilies;
  std::vector<net::Family> out;
  std::vector<std::string> ips = service.spec.clusterIps;
  if (ips.empty() && !service.spec.clusterIp.empty()) ips.push_back(service.spec.clusterIp);
  for (const std::string& text : ips) {
    auto ip = net::IpAddress::parse(text);
    if (ip && std::find(out.begin(), out.end(), ip->family()) == out.end()) {
      out.push_back(ip->family());
    }
  }
  return out;
}

// The requested IPs, from the loadBalancerIPs annotation or spec.loadBalancerIP (not both).
Result<std::vector<net::IpAddress>> requestedIps(const api::Service& service) {
  const auto annotation = findAnnotation(service.meta.annotations, kLoadBalancerIps);
  const std::string& field = service.spec.loadBalancerIp;
  if (annotation && !field.empty()) {
    return makeError("both annotation " + annotation->key + " (\"" + annotation->value +
                     "\") and spec.loadBalancerIP (\"" + field +
                     "\") are set; remove spec.loadBalancerIP (deprecated upstream)");
  }
  if (annotation) return parseIpList(annotation->key, annotation->value);
  if (field.empty()) return std::vector<net::IpAddress>{};
  auto ip = net::IpAddress::parse(util::trim(field, util::kSpaceTab));
  if (!ip) {
    return makeError("spec.loadBalancerIP \"" + field + "\" is not an IP address (" + ip.error() +
                     ")");
  }
  if (auto why = lbconfig::whyUnusable(*ip)) {
    return makeError("spec.loadBalancerIP \"" + field + "\": " + *why);
  }
  return std::vector<net::IpAddress>{*ip};
}

}  // namespace

Scope scopeOf(const api::Service& service, std::string_view lbClass) {
  if (!service.isLoadBalancer()) return Scope::kNotLoadBalancer;
  if (!api::handlesClass(lbClass, service.spec.loadBalancerClass)) return Scope::kOtherClass;
  return Scope::kLoadBalancer;
}

std::string serviceKey(const api::Service& service) {
  return service.meta.ns + "/" + service.meta.name;
}

std::string backendKey(const api::Service& service) {
  if (service.spec.externalTrafficPolicy != api::TrafficPolicy::kLocal) return "";
  std::string out;
  for (const auto& [k, v] : service.spec.selector) {  // a sorted map
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

Result<std::vector<net::IpAddress>> statusIps(const api::Service& service) {
  std::vector<net::IpAddress> out;
  for (const auto& ingress : service.status.ingress) {
    if (ingress.ip.empty()) continue;
    auto ip = net::IpAddress::parse(ingress.ip);
    if (!ip) {
      return makeError("status.loadBalancer.ingress holds \"" + ingress.ip +
                       "\", which is not an IP address");
    }
    out.push_back(*ip);
  }
  return out;
}

Result<ServiceIntent> serviceIntent(const api::Service& service,
                                    const lbconfig::Labels& namespaceLabels) {
  ServiceIntent out;
  allocator::ServiceRequest& r = out.request;
  r.key = serviceKey(service);
  r.ns = service.meta.ns;
  r.namespaceLabels = namespaceLabels;
  r.labels = service.meta.labels;
  r.families = familiesOf(service);
  if (r.families.empty()) {
    return makeError(
        "the Service has no IP family (spec.ipFamilies and spec.clusterIPs are empty)");
  }
  r.familyPolicy = policyOf(service);
  for (const api::ServicePort& port : service.spec.ports) {
    auto protocol = protocolOf(port);
    if (!protocol) return makeError(protocol.error());
    if (port.port < 0 || port.port > 65535) {
      return makeError("spec.ports: port " + std::to_string(port.port) + " is out of range");
    }
    r.ports.push_back({*protocol, static_cast<uint16_t>(port.port)});
  }
  if (auto pool = findAnnotation(service.meta.annotations, kAddressPool)) {
    r.requestedPool = pool->value;
  }
  if (auto key = findAnnotation(service.meta.annotations, kAllowSharedIp)) {
    r.sharingKey = key->value;
  }
  r.backendKey = backendKey(service);
  if (auto ips = requestedIps(service)) {
    r.requestedIps = std::move(*ips);
  } else {
    out.requestError = ips.error();
  }
  out.deprecatedAnnotations = deprecatedAnnotationsInUse(service.meta.annotations);
  out.annotationConflicts = conflictingAnnotations(service.meta.annotations);
  return out;
}

}  // namespace ironlb::reconciler
