#include "controller/daemon/allocator_metrics.h"

namespace ironlb::controller {

AllocatorMetrics::AllocatorMetrics(util::MetricsRegistry& r)
    : total_(r.gauge("metallb_allocator_addresses_total", "Number of usable IP addresses, per pool",
                     {"pool"})),
      totalV4_(r.gauge("metallb_allocator_ipv4_addresses_total",
                       "Number of usable IPV4 addresses, per pool", {"pool"})),
      totalV6_(r.gauge("metallb_allocator_ipv6_addresses_total",
                       "Number of usable IPV6 addresses, per pool", {"pool"})),
      inUse_(r.gauge("metallb_allocator_addresses_in_use_total",
                     "Number of IP addresses in use, per pool", {"pool"})),
      inUseV4_(r.gauge("metallb_allocator_ipv4_addresses_in_use_total",
                       "Number of IPV4 addresses in use, per pool", {"pool"})),
      inUseV6_(r.gauge("metallb_allocator_ipv6_addresses_in_use_total",
                       "Number of IPV6 addresses in use, per pool", {"pool"})),
      services_(r.gauge("metallb_allocator_services_allocated_total",
                        "Number of services allocated, per pool", {"pool"})) {}

void AllocatorMetrics::update(const std::string& pool, const allocator::PoolCounters& c) {
  totalV4_.withLabels({pool}).set(c.v4.total.toDouble());
  totalV6_.withLabels({pool}).set(c.v6.total.toDouble());
  total_.withLabels({pool}).set((c.v4.total + c.v6.total).toDouble());
  inUseV4_.withLabels({pool}).set(c.v4.assigned.toDouble());
  inUseV6_.withLabels({pool}).set(c.v6.assigned.toDouble());
  inUse_.withLabels({pool}).set((c.v4.assigned + c.v6.assigned).toDouble());
}

void AllocatorMetrics::setServicesAllocated(const std::string& pool, std::size_t services) {
  services_.withLabels({pool}).set(static_cast<double>(services));
}

void AllocatorMetrics::remove(const std::string& pool) {
  for (util::GaugeFamily* f :
       {&total_, &totalV4_, &totalV6_, &inUse_, &inUseV4_, &inUseV6_, &services_})
    f->remove({pool});
}

}  // namespace ironlb::controller
