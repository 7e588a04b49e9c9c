#pragma once
// ObjectMeta's JSON mapping, and the common frame of every decoder (root must be an object,
// `kind` must match when present, metadata first so that every later error can name the
// object).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api/json_reader.h"
#include "common/api/object_meta.h"
#include "common/util/result.h"

namespace ironlb::api {

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
  const Field kindField = root["kind"];
  if (!kindField.absent()) {
    // Items of a typed list omit `kind`; when present it must be the one asked for.
    if (!kindField.value()->is_string()) {
      reader.expected(kindField, "a string");
    } else if (kindField.value()->get_ref<const std::string&>() != kind) {
      reader.fail(kindField, "expected \"" + std::string(kind) + "\", got " +
                                 describeValue(*kindField.value()));
    }
  }
  decodeObjectMeta(reader, root["metadata"], out.meta);
  body(reader, root, out);
  if (!reader.ok()) return reader.error(objectName(kind, out.meta));
  return out;
}

}  // namespace ironlb::api
