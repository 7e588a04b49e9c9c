#pragma once
// LabelSelector as written in an API object (metav1.LabelSelector), before validation:
// operators are kept as text so that lbconfig can report an unknown one with its value.
// lbconfig/selector_parse turns it into a validated lbconfig::LabelSelector.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api/json_reader.h"

namespace ironlb::api {

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // "In", "NotIn", "Exists", "DoesNotExist" when valid
  std::vector<std::string> values;

  friend bool operator==(const LabelSelectorRequirement&,
                         const LabelSelectorRequirement&) = default;
};

struct LabelSelector {
  StringMap match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

void decodeLabelSelector(JsonReader& reader, const Field& field, LabelSelector& out);
// A list of selectors; every element must be an object.
void decodeLabelSelectors(JsonReader& reader, const Field& field, std::vector<LabelSelector>& out);
nlohmann::json encodeLabelSelector(const LabelSelector& selector);

}  // namespace ironlb::api
