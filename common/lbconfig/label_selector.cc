#include "common/lbconfig/label_selector.h"

#include <algorithm>
#include <tuple>

namespace ironlb::lbconfig {

LabelSelector::LabelSelector(std::vector<Requirement> requirements)
    : requirements_(std::move(requirements)) {
  for (auto& r : requirements_) {
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
  }
  std::sort(requirements_.begin(), requirements_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.key, a.op, a.values) < std::tie(b.key, b.op, b.values);
  });
  requirements_.erase(std::unique(requirements_.begin(), requirements_.end()), requirements_.end());
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& r : requirements_) {
    const auto it = labels.find(r.key);
    const bool has = it != labels.end();
    switch (r.op) {
      case SelectorOp::kExists:
        if (!has) return false;
        break;
      case SelectorOp::kDoesNotExist:
        if (has) return false;
        break;
      case SelectorOp::kIn:
        if (!has || !std::binary_search(r.values.begin(), r.values.end(), it->second)) {
          return false;
        }
        break;
      case SelectorOp::kNotIn:
        // Kubernetes: NotIn matches when the key is absent too.
        if (has && std::binary_search(r.values.begin(), r.values.end(), it->second)) {
          return false;
        }
        break;
    }
  }
  return true;
}

std::string LabelSelector::toString() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ',';
    const auto list = [&] {
      std::string s = " (";
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        if (i != 0) s += ',';
        s += r.values[i];
      }
      return s + ")";
    };
    switch (r.op) {
      case SelectorOp::kExists:
        out += r.key;
        break;
      case SelectorOp::kDoesNotExist:
        out += "!" + r.key;
        break;
      case SelectorOp::kIn:
        out += r.values.size() == 1 ? r.key + "=" + r.values[0] : r.key + " in" + list();
        break;
      case SelectorOp::kNotIn:
        out += r.values.size() == 1 ? r.key + "!=" + r.values[0] : r.key + " notin" + list();
        break;
    }
  }
  return out;
}

bool anyMatches(const std::vector<LabelSelector>& selectors, const Labels& labels, bool ifEmpty) {
  if (selectors.empty()) return ifEmpty;
  return std::any_of(selectors.begin(), selectors.end(),
                     [&](const LabelSelector& s) { return s.matches(labels); });
}

}  // namespace ironlb::lbconfig
