#include "controller/reconciler/annotations.h"

namespace ironlb::reconciler {

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

}  // namespace ironlb::reconciler
