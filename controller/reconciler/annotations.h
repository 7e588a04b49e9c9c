#pragma once
// The Service annotations a MetalLB-style controller reads and writes (REFERENCE §2), under the
// preferred prefix `metallb.io/` and the deprecated `metallb.universe.tf/`, which existing
// manifests still carry: it is honoured (the preferred key wins when both are set) and reported
// once with a Warning event.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/json_reader.h"

namespace ironlb::reconciler {

inline constexpr std::string_view kAnnotationPrefix = "metallb.io/";
inline constexpr std::string_view kDeprecatedAnnotationPrefix = "metallb.universe.tf/";

// Names after the prefix.
inline constexpr std::string_view kAddressPool = "address-pool";
inline constexpr std::string_view kLoadBalancerIps = "loadBalancerIPs";
inline constexpr std::string_view kAllowSharedIp = "allow-shared-ip";
inline constexpr std::string_view kIpAllocatedFromPool = "ip-allocated-from-pool";

// "metallb.io/<name>" and "metallb.universe.tf/<name>".
std::string annotationKey(std::string_view name);
std::string deprecatedAnnotationKey(std::string_view name);

struct AnnotationValue {
  std::string key;  // the key the value was found under
  std::string value;
  bool deprecated = false;
};

// The value under `metallb.io/<name>`, else under `metallb.universe.tf/<name>`.
std::optional<AnnotationValue> findAnnotation(const api::StringMap& annotations,
                                              std::string_view name);

// Keys with the deprecated prefix that the user set, sorted. The controller's own output
// (`metallb.universe.tf/ip-allocated-from-pool`, written by old MetalLB controllers) is not
// listed: the controller replaces it itself.
std::vector<std::string> deprecatedAnnotationsInUse(const api::StringMap& annotations);

}  // namespace ironlb::reconciler
