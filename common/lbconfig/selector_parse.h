#pragma once
// Turns label selectors as written in API objects into validated LabelSelectors, with the
// API server's rules (metav1.ValidateLabelSelector) plus MetalLB's duplicate rules, so that a
// selector ironlb accepts is one the API and MetalLB accept and means the same.

#include <optional>
#include <string>
#include <vector>

#include "common/api/label_selector.h"
#include "common/lbconfig/issue.h"
#include "common/lbconfig/label_selector.h"

namespace ironlb::lbconfig {

// One selector at `path` (e.g. "spec.nodeSelectors[0]"). Every problem is reported to `sink`
// with its own path and value; nullopt when there was any.
//  - matchLabels: keys are qualified names, values label values.
//  - matchExpressions: key a qualified name; operator In/NotIn (>= 1 value) or
//    Exists/DoesNotExist (no values), anything else is an error; values are label values.
//  - MetalLB (internal/config validateLabelSelectorMatchExpressions, checked via the search
//    tool) also rejects a value repeated inside one expression and an expression repeated
//    inside one selector; so do we, so configurations stay portable both ways.
std::optional<LabelSelector> parseSelector(const api::LabelSelector& selector,
                                           const std::string& path, IssueSink& sink);

// A list of selectors at `path` (ORed, e.g. "spec.nodeSelectors"). Two selectors that mean
// the same are a duplicate error, as in MetalLB (validateLabelSelectorDuplicate); we compare
// meaning (normalized requirements), which also catches {matchLabels: {a: b}} written again as
// {key: a, operator: In, values: [b]}. Invalid selectors are left out of the result.
std::vector<LabelSelector> parseSelectors(const std::vector<api::LabelSelector>& selectors,
                                          const std::string& path, IssueSink& sink);

}  // namespace ironlb::lbconfig
