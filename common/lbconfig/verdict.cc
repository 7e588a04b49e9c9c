#include "common/lbconfig/verdict.h"

#include <set>
#include <string>

namespace ironlb::lbconfig {

api::ConfigurationVerdict verdictOf(const BuildResult& result) {
  api::ConfigurationVerdict verdict;
  if (result.ok()) {
    verdict.result = std::string(api::kConfigValid);
    return verdict;
  }
  verdict.result = std::string(api::kConfigInvalid);
  std::set<std::string> objects;
  for (const Issue& issue : result.errors)
    objects.insert(issue.kind + " " + issue.ns + "/" + issue.name);
  if (!result.errors.empty()) verdict.lastError = result.errors.front().toString();
  const std::size_t n = result.errors.size();
  verdict.errorSummary = std::to_string(n) + (n == 1 ? " error in " : " errors in ") +
                         std::to_string(objects.size()) +
                         (objects.size() == 1 ? " object" : " objects");
  return verdict;
}

}  // namespace ironlb::lbconfig
