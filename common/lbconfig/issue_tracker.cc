#include "common/lbconfig/issue_tracker.h"

namespace ironlb::lbconfig {
namespace {

// Only the findings not seen in `previous`; `previous` becomes this build's set.
std::vector<Issue> fresh(const std::vector<Issue>& issues, std::set<std::string>& previous) {
  std::set<std::string> now;
  std::vector<Issue> out;
  for (const Issue& issue : issues) {
    std::string text = issue.toString();
    if (!previous.count(text)) out.push_back(issue);
    now.insert(std::move(text));
  }
  previous = std::move(now);
  return out;
}

}  // namespace

IssueReport ConfigIssueTracker::update(const BuildResult& result) {
  IssueReport report;
  report.newErrors = fresh(result.errors, errors_);
  report.newWarnings = fresh(result.warnings, warnings_);
  report.errors = result.errors.size();
  report.valid = result.ok();
  report.recovered = report.valid && hadErrors_;
  hadErrors_ = !report.valid;
  return report;
}

}  // namespace ironlb::lbconfig
