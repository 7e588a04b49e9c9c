#include "controller/reconciler/annotations.h"

#include <algorithm>

#include "common/net/ip_address.h"
#include "common/util/strings.h"

namespace ironlb::reconciler {
namespace {

// A loadBalancerIPs value as the set of things it asks for: entries trimmed, addresses in
// canonical text (an entry that is no address stays as written; the request reports it).
std::vector<std::string> requestedEntries(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string_view part : util::splitList(text)) {
    const std::string_view entry = util::trim(part, util::kSpaceTab);
    auto ip = net::IpAddress::parse(entry);
    out.push_back(ip ? ip->toString() : std::string(entry));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool sameRequest(std::string_view name, const std::string& a, const std::string& b) {
  if (name == kLoadBalancerIps) return requestedEntries(a) == requestedEntries(b);
  return a == b;
}

}  // namespace

std::string annotationKey(std::string_view name) {
  return std::string(kAnnotationPrefix) + std::string(name);
}

std::string deprecatedAnnotationKey(std::string_view name) {
  return std::string(kDeprecatedAnnotationPrefix) + std::string(name);
}

std::optional<AnnotationValue> findAnnotation(const api::StringMap& annotations,
                                              std::string_view name) {
  for (const bool deprecated : {false, true}) {
    std::string key = deprecated ? deprecatedAnnotationKey(name) : annotationKey(name);
    if (auto it = annotations.find(key); it != annotations.end()) {
      return AnnotationValue{std::move(key), it->second, deprecated};
    }
  }
  return std::nullopt;
}

std::vector<std::string> deprecatedAnnotationsInUse(const api::StringMap& annotations) {
  std::vector<std::string> out;
  const std::string own = deprecatedAnnotationKey(kIpAllocatedFromPool);
  // Keys are sorted, so the deprecated ones form one contiguous run.
  for (auto it = annotations.lower_bound(kDeprecatedAnnotationPrefix);
       it != annotations.end() && it->first.starts_with(kDeprecatedAnnotationPrefix); ++it) {
    if (it->first != own) out.push_back(it->first);
  }
  return out;
}

std::vector<AnnotationConflict> conflictingAnnotations(const api::StringMap& annotations) {
  std::vector<AnnotationConflict> out;
  for (const std::string_view name : {kAddressPool, kLoadBalancerIps, kAllowSharedIp}) {
    std::string usedKey = annotationKey(name);
    std::string ignoredKey = deprecatedAnnotationKey(name);
    const auto used = annotations.find(usedKey);
    const auto ignored = annotations.find(ignoredKey);
    if (used == annotations.end() || ignored == annotations.end()) continue;
    if (sameRequest(name, used->second, ignored->second)) continue;
    out.push_back({{std::move(usedKey), used->second, false},
                   {std::move(ignoredKey), ignored->second, true}});
  }
  return out;
}

}  // namespace ironlb::reconciler
