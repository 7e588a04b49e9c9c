#pragma once
// Family and policy rules for one Service (docs/services.md): which IPs, by count and family, a
// Service may hold or ask for. Pure checks with messages that name the Service.

#include <span>
#include <string>
#include <string_view>

#include "common/net/ip_address.h"
#include "common/util/result.h"
#include "controller/allocator/ip_list.h"
#include "controller/allocator/service_request.h"

namespace ironlb::allocator {

// Families: one or two distinct entries; RequireDualStack needs two.
Status checkFamilies(const ServiceRequest& request);

// The Service wants one IP of each of its two families (PreferDualStack or RequireDualStack).
bool wantsDualStack(const ServiceRequest& request);

// `ips` (non-empty) fit the Service: at most one per family, only its families; SingleStack
// exactly one of the primary family; RequireDualStack both; PreferDualStack one or both.
// `what` names the list in the message ("requested IPs", "IPs in status").
// ironlb: MetalLB makes a dual-stack PreferDualStack Service request both families or fail;
// ironlb accepts one, since "prefer" is satisfied by taking exactly what was asked.
Status checkIpShape(const ServiceRequest& request, std::span<const net::IpAddress> ips,
                    std::string_view what);

// `ips` (at most two, checked by checkIpShape) in the Service's family order, primary first.
IpList inFamilyOrder(const ServiceRequest& request, std::span<const net::IpAddress> ips);

// "198.51.100.7, 2001:db8::7"
std::string ipList(std::span<const net::IpAddress> ips);

}  // namespace ironlb::allocator
