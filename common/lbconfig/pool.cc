#include "common/lbconfig/pool.h"

#include <algorithm>

namespace ironlb::lbconfig {

bool Pool::admits(const ServiceView& service) const {
  if (!service_allocation) return true;
  const ServiceAllocation& a = *service_allocation;
  const bool has_ns_constraint = !a.namespaces.empty() || !a.namespace_selectors.empty();
  if (has_ns_constraint) {
    const bool by_name =
        std::find(a.namespaces.begin(), a.namespaces.end(), service.ns) != a.namespaces.end();
    if (!by_name && !anyMatches(a.namespace_selectors, service.namespace_labels, false)) {
      return false;
    }
  }
  return anyMatches(a.service_selectors, service.labels, true);
}

bool Pool::hasAllocationConstraints() const {
  return service_allocation && (service_allocation->priority != 0 || selectsServices());
}

bool Pool::selectsServices() const {
  return service_allocation && (!service_allocation->namespaces.empty() ||
                                !service_allocation->namespace_selectors.empty() ||
                                !service_allocation->service_selectors.empty());
}

bool Pool::contains(const net::IpAddress& ip) const {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const PoolRange& r) { return r.range.contains(ip); });
}

bool Pool::hasFamily(net::Family family) const {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const PoolRange& r) { return r.range.family() == family; });
}

}  // namespace ironlb::lbconfig
