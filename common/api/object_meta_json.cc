#include "common/api/object_meta_json.h"

namespace ironlb::api {

void decodeObjectMeta(JsonReader& reader, const Field& field, ObjectMeta& out) {
  if (!reader.object(field)) return;
  reader.read(field["name"], out.name);
  reader.read(field["generateName"], out.generateName);
  reader.read(field["namespace"], out.ns);
  reader.read(field["uid"], out.uid);
  reader.read(field["resourceVersion"], out.resourceVersion);
  reader.read(field["generation"], out.generation);
  reader.read(field["labels"], out.labels);
  reader.read(field["annotations"], out.annotations);
  reader.read(field["deletionTimestamp"], out.deletionTimestamp);
  reader.read(field["creationTimestamp"], out.creationTimestamp);
}

nlohmann::json encodeObjectMeta(const ObjectMeta& meta) {
  nlohmann::json out = nlohmann::json::object();
  if (!meta.name.empty()) out["name"] = meta.name;
  if (!meta.generateName.empty()) out["generateName"] = meta.generateName;
  if (!meta.ns.empty()) out["namespace"] = meta.ns;
  if (!meta.uid.empty()) out["uid"] = meta.uid;
  if (!meta.resourceVersion.empty()) out["resourceVersion"] = meta.resourceVersion;
  if (meta.generation != 0) out["generation"] = meta.generation;
  if (!meta.labels.empty()) out["labels"] = meta.labels;
  if (!meta.annotations.empty()) out["annotations"] = meta.annotations;
  if (meta.deletionTimestamp) out["deletionTimestamp"] = *meta.deletionTimestamp;
  if (meta.creationTimestamp) out["creationTimestamp"] = *meta.creationTimestamp;
  return out;
}

}  // namespace ironlb::api
