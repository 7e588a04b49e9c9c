#pragma once
// The allocator gauges MetalLB dashboards query (docs/metrics.md; names as in MetalLB's
// internal/allocator/stats.go), label `pool`:
//   metallb_allocator_addresses_total, metallb_allocator_addresses_in_use_total and their
//   metallb_allocator_ipv4_* / metallb_allocator_ipv6_* variants, and
//   metallb_allocator_services_allocated_total: the number of Services holding addresses of
//   the pool now (a gauge despite the _total suffix, as MetalLB's).
// Huge IPv6 pools are reported as doubles (exact up to 2^53, then rounded), as Prometheus
// clients do.

#include <string>

#include "common/util/metrics.h"
#include "controller/allocator/allocation.h"

namespace ironlb::controller {

class AllocatorMetrics {
 public:
  explicit AllocatorMetrics(util::MetricsRegistry& registry);

  void update(const std::string& pool, const allocator::PoolCounters& counters);
  void setServicesAllocated(const std::string& pool, std::size_t services);
  void remove(const std::string& pool);

 private:
  util::GaugeFamily& total_;
  util::GaugeFamily& totalV4_;
  util::GaugeFamily& totalV6_;
  util::GaugeFamily& inUse_;
  util::GaugeFamily& inUseV4_;
  util::GaugeFamily& inUseV6_;
  util::GaugeFamily& services_;
};

}  // namespace ironlb::controller
