#include "common/api/label_selector_json.h"

namespace ironlb::api {

void decodeLabelSelector(JsonReader& reader, const Field& field, LabelSelector& out) {
  if (!reader.object(field)) return;
  reader.read(field["matchLabels"], out.matchLabels);
  reader.forEach(field["matchExpressions"], [&](const Field& element) {
    if (!reader.requiredObject(element)) return;
    LabelSelectorRequirement r;
    reader.read(element["key"], r.key);
    reader.read(element["operator"], r.op);
    reader.read(element["values"], r.values);
    out.matchExpressions.push_back(std::move(r));
  });
}

void decodeLabelSelectors(JsonReader& reader, const Field& field, std::vector<LabelSelector>& out) {
  reader.forEach(field, [&](const Field& element) {
    if (!reader.requiredObject(element)) return;
    decodeLabelSelector(reader, element, out.emplace_back());
  });
}

}  // namespace ironlb::api
