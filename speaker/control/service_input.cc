// ServiceInput conversions: Service + EndpointSlice summaries -> the election's view.
#include "speaker/control/service_input.h"

#include <algorithm>

#include "common/api/load_balancer_class.h"

namespace ironlb::control {
namespace {

void sortUnique(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
}

}  // namespace

SliceSummary summarize(const api::EndpointSlice& slice) {
  SliceSummary out;
  for (const auto& endpoint : slice.endpoints) {
    if (!endpoint.isServing()) continue;
    out.serving = true;
    if (endpoint.nodeName && !endpoint.nodeName->empty())
      out.servingNodes.push_back(*endpoint.nodeName);
  }
  sortUnique(out.servingNodes);
  return out;
}

bool handles(const api::Service& service, std::string_view lbClass) {
  if (!service.isLoadBalancer() || service.meta.deleting()) return false;
  return api::handlesClass(lbClass, service.spec.loadBalancerClass);
}

ConversionResult toServiceInput(const api::Service& service, std::span<const SliceSummary> slices,
                                std::string_view lbClass) {
  ConversionResult out;
  if (!handles(service, lbClass)) return out;
  ServiceInput in;
  in.key = service.meta.ns + "/" + service.meta.name;
  in.labels = lbconfig::Labels(service.meta.labels.begin(), service.meta.labels.end());
  for (const auto& ingress : service.status.ingress) {
    if (ingress.ip.empty()) continue;  // hostname-only entries are not ours to announce
    auto ip = net::IpAddress::parse(ingress.ip);
    if (!ip.ok()) {
      out.invalidIps.push_back(ingress.ip);
      continue;
    }
    if (std::find(in.ips.begin(), in.ips.end(), *ip) == in.ips.end()) in.ips.push_back(*ip);
  }
  if (in.ips.empty()) return out;
  in.local = service.spec.externalTrafficPolicy == api::TrafficPolicy::kLocal;
  for (const auto& slice : slices) {
    in.serving = in.serving || slice.serving;
    in.servingNodes.insert(in.servingNodes.end(), slice.servingNodes.begin(),
                           slice.servingNodes.end());
  }
  sortUnique(in.servingNodes);
  out.input = std::move(in);
  return out;
}

}  // namespace ironlb::control
