#include "controller/allocator/request_rules.h"

#include <algorithm>
#include <string>

#include "common/util/strings.h"

namespace ironlb::allocator {

std::string ipList(std::span<const net::IpAddress> ips) {
  return util::joinList(ips, ", ", [](const net::IpAddress& ip) { return ip.toString(); });
}

Status checkFamilies(const ServiceRequest& request) {
  const auto& f = request.families;
  if (request.key.empty()) return Error{"the Service key is empty"};
  if (f.empty()) return Error{"the Service has no IP families"};
  if (f.size() > 2 || (f.size() == 2 && f[0] == f[1])) {
    return Error{"the Service's IP families must be IPv4, IPv6 or both, each once"};
  }
  if (request.familyPolicy == FamilyPolicy::kRequireDualStack && f.size() != 2) {
    return Error{"ipFamilyPolicy RequireDualStack but the Service has only the " +
                 std::string(net::familyName(f[0])) + " family"};
  }
  return {};
}

bool wantsDualStack(const ServiceRequest& request) {
  return request.familyPolicy != FamilyPolicy::kSingleStack && request.families.size() == 2;
}

Status checkIpShape(const ServiceRequest& request, std::span<const net::IpAddress> ips,
                    std::string_view what) {
  const auto fail = [&](std::string_view why) {
    return Error{std::string(what) + " " + ipList(ips) + ": " + std::string(why)};
  };
  if (ips.empty()) return Error{"no " + std::string(what)};
  if (ips.size() > 2 || (ips.size() == 2 && ips[0].family() == ips[1].family())) {
    return fail("at most one IP per family");
  }
  for (const auto& ip : ips) {
    if (std::find(request.families.begin(), request.families.end(), ip.family()) ==
        request.families.end()) {
      return fail("the Service has no " + std::string(net::familyName(ip.family())) + " family");
    }
  }
  if (!wantsDualStack(request)) {
    if (ips.size() != 1 || ips[0].family() != request.families[0]) {
      return fail("a single-stack " + std::string(net::familyName(request.families[0])) +
                  " Service takes exactly one " +
                  std::string(net::familyName(request.families[0])) + " address");
    }
  } else if (request.familyPolicy == FamilyPolicy::kRequireDualStack && ips.size() != 2) {
    return fail("RequireDualStack needs one IPv4 and one IPv6 address");
  }
  return {};
}

IpList inFamilyOrder(const ServiceRequest& request, std::span<const net::IpAddress> ips) {
  IpList out(ips);
  if (out.size() == 2 && out[0].family() != request.families[0]) out.swapOrder();
  return out;
}

}  // namespace ironlb::allocator
