#include "common/lbconfig/issue.h"

#include <algorithm>
#include <tuple>

#include "common/api/field_path.h"
#include "common/api/object_meta.h"

namespace ironlb::lbconfig {

std::string Issue::toString() const {
  std::string out = api::objectName(kind, ns, name);
  out += ": ";
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

void IssueSink::error(std::string path, std::string message) {
  errors_.push_back(Issue{kind_, ns_, name_, std::move(path), std::move(message)});
  ++errorCount_;
}

void IssueSink::warning(std::string path, std::string message) {
  warnings_.push_back(Issue{kind_, ns_, name_, std::move(path), std::move(message)});
}

void sortIssues(std::vector<Issue>& issues) {
  std::stable_sort(issues.begin(), issues.end(), [](const Issue& a, const Issue& b) {
    return std::tie(a.kind, a.ns, a.name) < std::tie(b.kind, b.ns, b.name);
  });
}

bool DuplicateCheck::first(std::string_view value, std::size_t index, IssueSink& sink) {
  const auto [it, inserted] = seen_.emplace(value, index);
  if (!inserted) {
    sink.error(api::indexPath(listPath_, index), "duplicate " + what_ + " " +
                                                     api::describeString(value) + " (also at " +
                                                     api::indexPath(listPath_, it->second) + ")");
  }
  return inserted;
}

}  // namespace ironlb::lbconfig
