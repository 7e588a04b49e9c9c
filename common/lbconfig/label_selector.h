#pragma once
// LabelSelector: a validated Kubernetes label selector (matchLabels + matchExpressions), with
// the API's matching semantics. An empty selector matches everything. Validation of keys,
// values and operators happens when a selector is built from API data (lbconfig/selector_parse).

#include <string>
#include <vector>

#include "common/lbconfig/labels.h"

namespace ironlb::lbconfig {

enum class SelectorOp { kIn, kNotIn, kExists, kDoesNotExist };

struct Requirement {
  std::string key;
  SelectorOp op = SelectorOp::kExists;
  std::vector<std::string> values;  // In/NotIn: non-empty; Exists/DoesNotExist: empty

  friend bool operator==(const Requirement&, const Requirement&) = default;
};

class LabelSelector {
 public:
  LabelSelector() = default;  // matches everything
  // Requirements are ANDed. matchLabels {k: v} is the requirement (k In [v]). Requirements are
  // kept sorted (key, op, values) so equal selectors compare equal whatever their spelling.
  explicit LabelSelector(std::vector<Requirement> requirements);

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

  // Kubernetes selector syntax: "app=web,tier in (a,b),!legacy". "" for the empty selector.
  std::string toString() const;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;

 private:
  std::vector<Requirement> requirements_;
};

// True when any selector matches (several selectors in one field are ORed); `ifEmpty` is the
// answer for an empty list (MetalLB: an empty list means "no constraint").
bool anyMatches(const std::vector<LabelSelector>& selectors, const Labels& labels, bool ifEmpty);

}  // namespace ironlb::lbconfig
