#include "controller/reconciler/pool_status.h"

namespace ironlb::reconciler {

api::IPAddressPoolStatus poolStatus(const allocator::PoolCounters& counters) {
  return {
      .assignedIpv4 = counters.v4.assigned.toInt64Saturated(),
      .assignedIpv6 = counters.v6.assigned.toInt64Saturated(),
      .availableIpv4 = counters.v4.available().toInt64Saturated(),
      .availableIpv6 = counters.v6.available().toInt64Saturated(),
      .deletionBlockedBy = {},
  };
}

}  // namespace ironlb::reconciler
