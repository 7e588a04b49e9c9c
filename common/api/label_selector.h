#pragma once
// LabelSelector as written in an API object (metav1.LabelSelector), before validation:
// operators are kept as text so that lbconfig can report an unknown one with its value.
// lbconfig/selector_parse turns it into a validated lbconfig::LabelSelector. JSON mapping:
// label_selector_json.h.

#include <string>
#include <vector>

#include "common/api/string_map.h"

namespace ironlb::api {

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // "In", "NotIn", "Exists", "DoesNotExist" when valid
  std::vector<std::string> values;

  friend bool operator==(const LabelSelectorRequirement&,
                         const LabelSelectorRequirement&) = default;
};

struct LabelSelector {
  StringMap matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

}  // namespace ironlb::api
