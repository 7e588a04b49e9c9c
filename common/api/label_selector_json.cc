#include "common/api/label_selector_json.h"

namespace ironlb::api {

void decodeLabelSelector(JsonReader& reader, const Field& field, LabelSelector& out) {
  if (!reader.object(field)) return;
  reader.read(field["matchLabels"], out.match_labels);
  reader.forEach(field["matchExpressions"], [&](const Field& element) {
    if (!reader.requiredObject(element)) return;
    LabelSelectorRequirement r;
    reader.read(element["key"], r.key);
    reader.read(element["operator"], r.op);
    reader.read(element["values"], r.values);
    out.match_expressions.push_back(std::move(r));
  });
}

void decodeLabelSelectors(JsonReader& reader, const Field& field, std::vector<LabelSelector>& out) {
  reader.forEach(field, [&](const Field& element) {
    if (!reader.requiredObject(element)) return;
    decodeLabelSelector(reader, element, out.emplace_back());
  });
}

nlohmann::json encodeLabelSelector(const LabelSelector& selector) {
  nlohmann::json out = nlohmann::json::object();
  if (!selector.match_labels.empty()) out["matchLabels"] = selector.match_labels;
  if (!selector.match_expressions.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : selector.match_expressions) {
      nlohmann::json e = {{"key", r.key}, {"operator", r.op}};
      if (!r.values.empty()) e["values"] = r.values;
      list.push_back(std::move(e));
    }
    out["matchExpressions"] = std::move(list);
  }
  return out;
}

}  // namespace ironlb::api
