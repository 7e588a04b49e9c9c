#pragma once
// Issue: one finding of configuration validation (an error or a warning) about one object:
// its kind and namespace/name, the field path with indexes ("spec.addresses[3]"), and a
// message that quotes the offending value, so a person can go straight to the line to fix.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ironlb::lbconfig {

struct Issue {
  std::string kind;  // "IPAddressPool", "L2Advertisement"
  std::string ns;
  std::string name;
  std::string path;  // "" when the finding is about the object as a whole
  std::string message;

  // "IPAddressPool metallb-system/first-pool: spec.addresses[3]: <message>"
  std::string toString() const;

  friend bool operator==(const Issue&, const Issue&) = default;
};

// Collects the findings about one object into shared error and warning lists.
class IssueSink {
 public:
  IssueSink(std::string kind, std::string ns, std::string name, std::vector<Issue>& errors,
            std::vector<Issue>& warnings)
      : kind_(std::move(kind)),
        ns_(std::move(ns)),
        name_(std::move(name)),
        errors_(errors),
        warnings_(warnings) {}

  void error(std::string path, std::string message);
  void warning(std::string path, std::string message);
  // Errors reported through this sink so far.
  std::size_t errorCount() const { return errorCount_; }

 private:
  std::string kind_;
  std::string ns_;
  std::string name_;
  std::vector<Issue>& errors_;
  std::vector<Issue>& warnings_;
  std::size_t errorCount_ = 0;
};

// A list field that must not name a value twice: the second mention is an error that points at
// the first ("duplicate pool \"a\" (also at spec.ipAddressPools[0])"). The values must outlive
// the check (it keeps views).
class DuplicateCheck {
 public:
  DuplicateCheck(std::string listPath, std::string what)
      : listPath_(std::move(listPath)), what_(std::move(what)) {}

  // True the first time `value` is seen; otherwise false, with the error on `sink`.
  bool first(std::string_view value, std::size_t index, IssueSink& sink);

 private:
  std::string listPath_;
  std::string what_;
  std::map<std::string_view, std::size_t, std::less<>> seen_;
};

// Sorts by object (kind, namespace, name), keeping each object's findings in the order they
// were found (spec order), so output does not depend on the order objects arrived in.
void sortIssues(std::vector<Issue>& issues);

}  // namespace ironlb::lbconfig
