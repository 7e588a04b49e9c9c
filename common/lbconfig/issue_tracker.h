#pragma once
// ConfigIssueTracker: decides which configuration findings to report after each build, so that
// an operator hears about every error and warning once per change instead of on every rebuild
// (a pool that no advertisement selects stays a warning until fixed; it is logged and
// evented when it appears, not every time another pool changes). Both daemons use it, so they
// follow one rule.

#include <set>
#include <string>
#include <vector>

#include "common/lbconfig/build.h"
#include "common/lbconfig/issue.h"

namespace ironlb::lbconfig {

struct IssueReport {
  std::vector<Issue> newErrors;    // not in the previous build's errors
  std::vector<Issue> newWarnings;  // not in the previous build's warnings
  std::size_t errors = 0;          // all errors of this build
  bool valid = false;              // this build produced a Config
  bool recovered = false;          // valid again after an invalid build
};

class ConfigIssueTracker {
 public:
  IssueReport update(const BuildResult& result);

 private:
  std::set<std::string> errors_;
  std::set<std::string> warnings_;
  bool hadErrors_ = false;
};

}  // namespace ironlb::lbconfig
