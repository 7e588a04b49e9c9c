#include "controller/reconciler/pool_status.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/net/address_count.h"

namespace ironlb::reconciler {
namespace {

TEST(PoolStatusTest, CountsAndSaturation) {
  allocator::PoolCounters c;
  c.v4.total = net::AddressCount(16);
  c.v4.assigned = net::AddressCount(3);
  c.v6.total = net::AddressCount::all128();
  c.v6.assigned = net::AddressCount(2);
  const api::IPAddressPoolStatus s = poolStatus(c);
  EXPECT_EQ(s.assignedIpv4, 3);
  EXPECT_EQ(s.availableIpv4, 13);
  EXPECT_EQ(s.assignedIpv6, 2);
  EXPECT_EQ(s.availableIpv6, std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace ironlb::reconciler
