#include "controller/reconciler/pool_status.h"

namespace ironlb::reconciler {

api::IPAddressPoolStatus poolStatus(const allocator::PoolCounters& counters) {
  return {
      .assigned_ipv4 = counters.v4.assigned.toInt64Saturated(),
      .assigned_ipv6 = counters.v6.assigned.toInt64Saturated(),
      .available_ipv4 = counters.v4.available().toInt64Saturated(),
      .available_ipv6 = counters.v6.available().toInt64Saturated(),
      .deletion_blocked_by = {},
  };
}

}  // namespace ironlb::reconciler
