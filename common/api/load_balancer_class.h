#pragma once
// The loadBalancerClass rule both daemons apply (docs/services.md): an installation started
// without a class ("", the default) handles only LoadBalancer Services that have no class; one
// started with class X handles exactly the Services of class X. "" is never a Service's class
// (the API server refuses an empty one), so "" can stand for "no class" on our side.

#include <optional>
#include <string>
#include <string_view>

namespace ironlb::api {

// `service_class`: the Service's spec.loadBalancerClass, nullptr when it has none.
inline bool handlesClass(std::string_view handledClass, const std::string* serviceClass) {
  if (handledClass.empty()) return serviceClass == nullptr;
  return serviceClass != nullptr && *serviceClass == handledClass;
}

inline bool handlesClass(std::string_view handledClass,
                         const std::optional<std::string>& serviceClass) {
  return handlesClass(handledClass, serviceClass ? &*serviceClass : nullptr);
}

}  // namespace ironlb::api
