#pragma once
// The IPAddressPool status the controller publishes (assignedIPv4/IPv6, availableIPv4/IPv6),
// from the allocator's exact counters. Kubernetes takes int64: huge IPv6 pools saturate at
// INT64_MAX, as MetalLB reports them.

#include "common/api/metallb_types.h"
#include "controller/allocator/allocation.h"

namespace ironlb::reconciler {

api::IPAddressPoolStatus poolStatus(const allocator::PoolCounters& counters);

}  // namespace ironlb::reconciler
