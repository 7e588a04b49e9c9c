// Text forms of membership value types (logs, debug output).

#include "speaker/membership/types.h"

namespace ironlb::membership {

std::string_view statusName(MemberStatus status) {
  switch (status) {
    case MemberStatus::kUnknown:
      return "unknown";
    case MemberStatus::kAlive:
      return "alive";
    case MemberStatus::kWithdrawn:
      return "withdrawn";
    case MemberStatus::kDead:
      return "dead";
    case MemberStatus::kLeft:
      return "left";
  }
  return "invalid";
}

std::string toString(const Endpoint& endpoint) {
  const std::string ip = endpoint.address.toString();
  const std::string port = std::to_string(endpoint.port);
  return endpoint.address.isV6() ? "[" + ip + "]:" + port : ip + ":" + port;
}

}  // namespace ironlb::membership
