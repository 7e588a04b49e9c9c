#include "controller/webhook/admission_check.h"

#include <algorithm>

#include "common/k8s/resource.h"

namespace ironlb::controller::webhook {
namespace {

// `snapshot` with the change applied; false for a kind the configuration is not made of.
bool applyTo(lbconfig::Snapshot& snapshot, const ConfigChange& change) {
  if (!lbconfig::isConfigKind(change.kind)) return false;
  if (change.object) {
    lbconfig::putInto(snapshot, *change.object);
  } else {
    lbconfig::removeFrom(snapshot, change.kind, change.ns, change.name);
  }
  return true;
}

// Issues in `after` that `before` does not have (as a multiset).
std::vector<lbconfig::Issue> added(const std::vector<lbconfig::Issue>& before,
                                   const std::vector<lbconfig::Issue>& after) {
  std::vector<lbconfig::Issue> left = before;
  std::vector<lbconfig::Issue> out;
  for (const lbconfig::Issue& issue : after) {
    auto it = std::find(left.begin(), left.end(), issue);
    if (it != left.end()) {
      left.erase(it);
    } else {
      out.push_back(issue);
    }
  }
  return out;
}

}  // namespace

Verdict judge(const lbconfig::Snapshot& current, const ConfigChange& change,
              const std::string& installNamespace) {
  const lbconfig::BuildOptions options{.installNamespace = installNamespace,
                                       .missingPoolIsError = true};
  lbconfig::Snapshot candidate = current;
  if (!applyTo(candidate, change)) return {};  // not a kind the configuration is made of
  const lbconfig::BuildResult before = lbconfig::build(current, options);
  const lbconfig::BuildResult after = lbconfig::build(candidate, options);
  const bool deleting = !change.object;

  Verdict verdict;
  const std::vector<lbconfig::Issue> errors = added(before.errors, after.errors);
  if (!errors.empty() && !deleting) {
    verdict.allowed = false;
    for (const lbconfig::Issue& e : errors) {
      if (!verdict.message.empty()) verdict.message += "\n";
      verdict.message += e.toString();
    }
  }
  if (deleting) {
    for (const lbconfig::Issue& e : errors)
      verdict.warnings.push_back(e.toString());
  }
  for (const lbconfig::Issue& w : added(before.warnings, after.warnings))
    verdict.warnings.push_back(w.toString());
  return verdict;
}

}  // namespace ironlb::controller::webhook
