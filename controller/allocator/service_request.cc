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

}  // namespace ironlb::allocator
