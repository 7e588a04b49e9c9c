#include "common/api/object_meta_json.h"

namespace ironlb::api {

void decodeObjectMeta(JsonReader& reader, const Field& field, ObjectMeta& out) {
  if (!reader.object(field)) return;
  reader.read(field["name"], out.name);
  reader.read(field["generateName"], out.generate_name);
  reader.read(field["namespace"], out.ns);
  reader.read(field["uid"], out.uid);
  reader.read(field["resourceVersion"], out.resource_version);
  reader.read(field["generation"], out.generation);
  reader.read(field["labels"], out.labels);
  reader.read(field["annotations"], out.annotations);
  reader.read(field["deletionTimestamp"], out.deletion_timestamp);
  reader.read(field["creationTimestamp"], out.creation_timestamp);
}

nlohmann::json encodeObjectMeta(const ObjectMeta& meta) {
  nlohmann::json out = nlohmann::json::object();
  if (!meta.name.empty()) out["name"] = meta.name;
  if (!meta.generate_name.empty()) out["generateName"] = meta.generate_name;
  if (!meta.ns.empty()) out["namespace"] = meta.ns;
  if (!meta.uid.empty()) out["uid"] = meta.uid;
  if (!meta.resource_version.empty()) out["resourceVersion"] = meta.resource_version;
  if (meta.generation != 0) out["generation"] = meta.generation;
  if (!meta.labels.empty()) out["labels"] = meta.labels;
  if (!meta.annotations.empty()) out["annotations"] = meta.annotations;
  if (meta.deletion_timestamp) out["deletionTimestamp"] = *meta.deletion_timestamp;
  if (meta.creation_timestamp) out["creationTimestamp"] = *meta.creation_timestamp;
  return out;
}

}  // namespace ironlb::api
