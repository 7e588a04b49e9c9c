#include "common/lbconfig/selector_parse.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include "common/api/field_path.h"
#include "common/lbconfig/names.h"

namespace ironlb::lbconfig {
namespace {

using api::childPath;
using api::describeString;
using api::indexPath;

std::optional<SelectorOp> parseOp(std::string_view text) {
  if (text == "In") return SelectorOp::kIn;
  if (text == "NotIn") return SelectorOp::kNotIn;
  if (text == "Exists") return SelectorOp::kExists;
  if (text == "DoesNotExist") return SelectorOp::kDoesNotExist;
  return std::nullopt;
}

void checkKey(std::string_view key, const std::string& path, IssueSink& sink) {
  if (auto why = checkQualifiedName(key)) {
    sink.error(path, "invalid label key " + describeString(key) + ": " + *why);
  }
}

void checkValue(std::string_view value, const std::string& path, IssueSink& sink) {
  if (auto why = checkLabelValue(value)) {
    sink.error(path, "invalid label value " + describeString(value) + ": " + *why);
  }
}

struct RequirementsLess {
  bool operator()(const std::vector<Requirement>& a, const std::vector<Requirement>& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(), [](const Requirement& x, const Requirement& y) {
          return std::tie(x.key, x.op, x.values) < std::tie(y.key, y.op, y.values);
        });
  }
};

}  // namespace

std::optional<LabelSelector> parseSelector(const api::LabelSelector& selector,
                                           const std::string& path, IssueSink& sink) {
  const std::size_t errorsBefore = sink.errorCount();
  std::vector<Requirement> requirements;
  const std::string labelsPath = childPath(path, "matchLabels");
  for (const auto& [key, value] : selector.matchLabels) {
    const std::string entryPath = childPath(labelsPath, key);
    checkKey(key, entryPath, sink);
    checkValue(value, entryPath, sink);
    requirements.push_back(Requirement{key, SelectorOp::kIn, {value}});
  }

  const std::string expressionsPath = childPath(path, "matchExpressions");
  // Expression as written (values sorted, as MetalLB compares them) -> first index.
  std::map<std::tuple<std::string, std::string, std::vector<std::string>>, std::size_t> seen;
  for (std::size_t i = 0; i < selector.matchExpressions.size(); ++i) {
    const api::LabelSelectorRequirement& e = selector.matchExpressions[i];
    const std::string ePath = indexPath(expressionsPath, i);
    checkKey(e.key, childPath(ePath, "key"), sink);

    const std::optional<SelectorOp> op = parseOp(e.op);
    if (!op) {
      sink.error(childPath(ePath, "operator"),
                 describeString(e.op) +
                     " is not a valid selector operator (In, NotIn, Exists, DoesNotExist)");
    } else if ((*op == SelectorOp::kIn || *op == SelectorOp::kNotIn) && e.values.empty()) {
      sink.error(childPath(ePath, "values"),
                 "must be specified when operator is " + e.op + " (got an empty list)");
    } else if ((*op == SelectorOp::kExists || *op == SelectorOp::kDoesNotExist) &&
               !e.values.empty()) {
      sink.error(childPath(ePath, "values"), "may not be specified when operator is " + e.op +
                                                 " (got " + std::to_string(e.values.size()) +
                                                 " values)");
    }

    const std::string valuesPath = childPath(ePath, "values");
    DuplicateCheck valueSeen(valuesPath, "value");
    for (std::size_t j = 0; j < e.values.size(); ++j) {
      checkValue(e.values[j], indexPath(valuesPath, j), sink);
      valueSeen.first(e.values[j], j, sink);
    }

    std::vector<std::string> sortedValues = e.values;
    std::sort(sortedValues.begin(), sortedValues.end());
    const auto [it, inserted] = seen.emplace(std::make_tuple(e.key, e.op, sortedValues), i);
    if (!inserted) {
      sink.error(ePath, "duplicate of " + indexPath(expressionsPath, it->second));
    }
    if (op) requirements.push_back(Requirement{e.key, *op, e.values});
  }

  if (sink.errorCount() != errorsBefore) return std::nullopt;
  return LabelSelector(std::move(requirements));
}

std::vector<LabelSelector> parseSelectors(const std::vector<api::LabelSelector>& selectors,
                                          const std::string& path, IssueSink& sink) {
  std::vector<LabelSelector> out;
  std::map<std::vector<Requirement>, std::size_t, RequirementsLess> seen;
  for (std::size_t i = 0; i < selectors.size(); ++i) {
    const std::string sPath = indexPath(path, i);
    std::optional<LabelSelector> parsed = parseSelector(selectors[i], sPath, sink);
    if (!parsed) continue;
    const auto [it, inserted] = seen.emplace(parsed->requirements(), i);
    if (!inserted) {
      const std::string shown = parsed->empty() ? std::string("{} (matches everything)")
                                                : describeString(parsed->toString());
      sink.error(sPath,
                 "duplicate selector " + shown + " (same as " + indexPath(path, it->second) + ")");
      continue;
    }
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace ironlb::lbconfig
