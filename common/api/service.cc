#include "common/api/service.h"

namespace ironlb::api {
namespace {

template <class E, std::size_t N>
std::string_view enumName(E value, const std::array<std::pair<std::string_view, E>, N>& table) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "?";
}

}  // namespace

std::string_view ipFamilyPolicyName(IpFamilyPolicy policy) {
  return enumName(policy, kIpFamilyPolicyNames);
}

std::string_view trafficPolicyName(TrafficPolicy policy) {
  return enumName(policy, kTrafficPolicyNames);
}

}  // namespace ironlb::api
