#pragma once
// ObjectMeta: the metadata ironlb reads from every object (a plain struct; its JSON mapping is
// in object_meta_json.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/api/string_map.h"

namespace ironlb::api {

struct ObjectMeta {
  std::string name;
  std::string generateName;  // only meaningful on create (ServiceL2Status uses "l2-")
  std::string ns;            // empty for cluster-scoped objects
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  StringMap labels;
  StringMap annotations;
  std::optional<std::string> deletionTimestamp;  // RFC 3339 text as served
  // RFC 3339 text as served: UTC with whole seconds ("2024-05-01T09:12:44Z"), so text order is
  // time order. Absent on objects no API server has stored yet.
  std::optional<std::string> creationTimestamp;

  bool deleting() const { return deletionTimestamp.has_value(); }

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// How errors and logs name an object: "IPAddressPool metallb-system/first-pool",
// "Node worker-1" (cluster-scoped), or just the kind while the name is unknown.
std::string objectName(std::string_view kind, std::string_view ns, std::string_view name);
inline std::string objectName(std::string_view kind, const ObjectMeta& meta) {
  return objectName(kind, meta.ns, meta.name);
}

}  // namespace ironlb::api
