#pragma once
// LabelSelector's JSON mapping (metav1.LabelSelector).

#include <vector>

#include <nlohmann/json.hpp>

#include "common/api/json_reader.h"
#include "common/api/label_selector.h"

namespace ironlb::api {

void decodeLabelSelector(JsonReader& reader, const Field& field, LabelSelector& out);
// A list of selectors; every element must be an object.
void decodeLabelSelectors(JsonReader& reader, const Field& field, std::vector<LabelSelector>& out);

}  // namespace ironlb::api
