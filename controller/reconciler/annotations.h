#pragma once
// The Service annotations a MetalLB-style controller reads and writes (docs/services.md), under the
// preferred prefix `metallb.io/` and the deprecated `metallb.universe.tf/`, which existing
// manifests still carry: it is honoured (the preferred key wins when both are set) and reported
// once with a Warning event. When both prefixes carry an annotation with values that ask for
// different things, the preferred one still wins, and the conflict is reported (once per change)
// so that nobody wonders why the deprecated value is ignored.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/string_map.h"

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

  friend bool operator==(const AnnotationValue&, const AnnotationValue&) = default;
};

// The value under `metallb.io/<name>`, else under `metallb.universe.tf/<name>`.
std::optional<AnnotationValue> findAnnotation(const api::StringMap& annotations,
                                              std::string_view name);

// Keys with the deprecated prefix that the user set, sorted. The controller's own output
// (`metallb.universe.tf/ip-allocated-from-pool`, written by old MetalLB controllers) is not
// listed: the controller replaces it itself.
std::vector<std::string> deprecatedAnnotationsInUse(const api::StringMap& annotations);

// One annotation set under both prefixes with values that disagree.
struct AnnotationConflict {
  AnnotationValue used;     // metallb.io/<name>: what the controller applies
  AnnotationValue ignored;  // metallb.universe.tf/<name>

  friend bool operator==(const AnnotationConflict&, const AnnotationConflict&) = default;
};

// The conflicts among the annotations that steer allocation (address-pool, loadBalancerIPs,
// allow-shared-ip), in that order. Values disagree when they would ask for different things:
// pool names and sharing keys compare as written; loadBalancerIPs compare as sets of entries,
// with spaces trimmed and addresses in canonical form ("2001:db8::1, 192.0.2.1" agrees with
// "192.0.2.1,2001:DB8:0::1").
std::vector<AnnotationConflict> conflictingAnnotations(const api::StringMap& annotations);

}  // namespace ironlb::reconciler
