// Metadata accessors.
#include "common/k8s/object_meta.h"

namespace ironlb::k8s {

std::string metaString(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return {};
  const auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return {};
  const auto f = m->find(field);
  if (f == m->end() || !f->is_string()) return {};
  return f->get<std::string>();
}

std::string objectKey(const nlohmann::json& o) {
  return objectKey(namespaceOf(o), nameOf(o));
}

std::pair<std::string, std::string> splitKey(const std::string& key) {
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace ironlb::k8s

namespace ironlb::k8s {

nlohmann::json podOwnerReferences(const std::string& podName, const std::string& podUid) {
  return nlohmann::json::array(
      {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", podName}, {"uid", podUid}}});
}

}  // namespace ironlb::k8s
