#pragma once
// Safe accessors for object metadata in API JSON. They never throw on malformed data (a missing
// or mistyped field reads as empty), because API data is input, not a programming contract.

#include <nlohmann/json.hpp>

#include <string>

namespace ironlb::k8s {

std::string metaString(const nlohmann::json& object, const char* field);
inline std::string nameOf(const nlohmann::json& o) {
  return metaString(o, "name");
}
inline std::string namespaceOf(const nlohmann::json& o) {
  return metaString(o, "namespace");
}
inline std::string uidOf(const nlohmann::json& o) {
  return metaString(o, "uid");
}
inline std::string resourceVersionOf(const nlohmann::json& o) {
  return metaString(o, "resourceVersion");
}
// The store key: "namespace/name", or "name" for cluster-scoped objects.
std::string objectKey(const nlohmann::json& o);
inline std::string objectKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}
// Splits a key back into {namespace, name}.
std::pair<std::string, std::string> splitKey(const std::string& key);

}  // namespace ironlb::k8s

namespace ironlb::k8s {

// metadata.ownerReferences naming one Pod: an object carrying it is garbage-collected with the
// Pod (the speaker's ServiceL2Status objects, each component's ConfigurationState).
nlohmann::json podOwnerReferences(const std::string& podName, const std::string& podUid);

}  // namespace ironlb::k8s
