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
inline bool handlesClass(std::string_view handled_class, const std::string* service_class) {
  if (handled_class.empty()) return service_class == nullptr;
  return service_class != nullptr && *service_class == handled_class;
}

inline bool handlesClass(std::string_view handled_class,
                         const std::optional<std::string>& service_class) {
  return handlesClass(handled_class, service_class ? &*service_class : nullptr);
}

}  // namespace ironlb::api
