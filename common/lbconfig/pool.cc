#include "common/lbconfig/pool.h"

#include <algorithm>

namespace ironlb::lbconfig {

bool Pool::admits(const ServiceView& service) const {
  if (!serviceAllocation) return true;
  const ServiceAllocation& a = *serviceAllocation;
  const bool hasNsConstraint = !a.namespaces.empty() || !a.namespaceSelectors.empty();
  if (hasNsConstraint) {
    const bool byName =
        std::find(a.namespaces.begin(), a.namespaces.end(), service.ns) != a.namespaces.end();
    if (!byName && !anyMatches(a.namespaceSelectors, service.namespaceLabels, false)) {
      return false;
    }
  }
  return anyMatches(a.serviceSelectors, service.labels, true);
}

bool Pool::hasAllocationConstraints() const {
  return serviceAllocation && (serviceAllocation->priority != 0 || selectsServices());
}

bool Pool::selectsServices() const {
  return serviceAllocation && (!serviceAllocation->namespaces.empty() ||
                               !serviceAllocation->namespaceSelectors.empty() ||
                               !serviceAllocation->serviceSelectors.empty());
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
