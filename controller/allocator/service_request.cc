#include "controller/allocator/service_request.h"

namespace ironlb::allocator {

std::string_view protocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kTcp:
      return "TCP";
    case Protocol::kUdp:
      return "UDP";
    case Protocol::kSctp:
      return "SCTP";
  }
  return "?";
}

std::string_view familyPolicyName(FamilyPolicy policy) {
  switch (policy) {
    case FamilyPolicy::kSingleStack:
      return "SingleStack";
    case FamilyPolicy::kPreferDualStack:
      return "PreferDualStack";
    case FamilyPolicy::kRequireDualStack:
      return "RequireDualStack";
  }
  return "?";
}

}  // namespace ironlb::allocator
