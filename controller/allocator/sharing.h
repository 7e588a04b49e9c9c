#pragma once
// Sharing rules (docs/allocation-rules.md, MetalLB's checkSharing/sharingOK): a Service may hold an
// IP that other Services hold only if all carry the same non-empty sharing key, the same backend
// key, and no (protocol, port) pair appears twice. A Service alone on an IP may change its keys in
// place.

#include <string>
#include <vector>

#include "common/net/ip_address.h"
#include "controller/allocator/ip_table.h"
#include "controller/allocator/service_state.h"

namespace ironlb::allocator {

// Sorts and removes duplicates: the form every port comparison expects.
std::vector<ServicePort> normalizedPorts(std::vector<ServicePort> ports);

// True when `who` may hold the IP described by `use` beside its other users (`who` itself, if
// it is a user already, is ignored). Allocates nothing.
bool canShare(const IpUse& use, const SharingIdentity& who);

// Why `who` may not hold `ip`, for an event: names the other Service, the keys or the port.
// Precondition: !canShare(use, who).
std::string sharingConflict(const net::IpAddress& ip, const IpUse& use, const SharingIdentity& who);

}  // namespace ironlb::allocator
