#pragma once
// ObjectMeta: the metadata ironlb reads from every object, its JSON mapping, and the common
// frame of every decoder (root must be an object, `kind` must match when present, metadata
// first so that every later error can name the object).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api/json_reader.h"
#include "common/util/result.h"

namespace ironlb::api {

struct ObjectMeta {
  std::string name;
  std::string generate_name;  // only meaningful on create (ServiceL2Status uses "l2-")
  std::string ns;             // empty for cluster-scoped objects
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  StringMap labels;
  StringMap annotations;
  std::optional<std::string> deletion_timestamp;  // RFC 3339 text as served
  // RFC 3339 text as served: UTC with whole seconds ("2024-05-01T09:12:44Z"), so text order is
  // time order. Absent on objects no API server has stored yet.
  std::optional<std::string> creation_timestamp;

  bool deleting() const { return deletion_timestamp.has_value(); }

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// How errors and logs name an object: "IPAddressPool metallb-system/first-pool",
// "Node worker-1" (cluster-scoped), or just the kind while the name is unknown.
std::string objectName(std::string_view kind, std::string_view ns, std::string_view name);
inline std::string objectName(std::string_view kind, const ObjectMeta& meta) {
  return objectName(kind, meta.ns, meta.name);
}

void decodeObjectMeta(JsonReader& reader, const Field& field, ObjectMeta& out);
// Only the fields that are set, the way the API server omits empty ones.
nlohmann::json encodeObjectMeta(const ObjectMeta& meta);

// The frame every decodeX shares. `body(reader, root, out)` reads the kind-specific fields.
// Never throws; the error names the object, the field path and the offending value.
template <class T, class Body>
Result<T> decodeObject(const nlohmann::json& json, std::string_view kind, Body&& body) {
  JsonReader reader(json);
  const Field root = reader.root();
  T out;
  if (!reader.requiredObject(root)) return reader.error(kind);
  const Field kind_field = root["kind"];
  if (!kind_field.absent()) {
    // Items of a typed list omit `kind`; when present it must be the one asked for.
    if (!kind_field.value()->is_string()) {
      reader.expected(kind_field, "a string");
    } else if (kind_field.value()->get_ref<const std::string&>() != kind) {
      reader.fail(kind_field, "expected \"" + std::string(kind) + "\", got " +
                                  describeValue(*kind_field.value()));
    }
  }
  decodeObjectMeta(reader, root["metadata"], out.meta);
  body(reader, root, out);
  if (!reader.ok()) return reader.error(objectName(kind, out.meta));
  return out;
}

}  // namespace ironlb::api
