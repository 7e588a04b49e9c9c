#pragma once
// What every part of lbconfig::build shares (the L2 part in build.cc, the BGP part in
// bgp_build.cc): the install-namespace filter, the object-name check, and the resolution of an
// advertisement's pool references (ipAddressPools names and ipAddressPoolSelectors).

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/api/field_path.h"
#include "common/api/label_selector.h"
#include "common/api/object_meta.h"
#include "common/lbconfig/issue.h"
#include "common/lbconfig/pool.h"

namespace ironlb::lbconfig {

using NameSet = std::set<std::string, std::less<>>;

class BuildScope {
 public:
  BuildScope(std::string installNamespace, std::vector<Issue>& errors, std::vector<Issue>& warnings)
      : installNamespace_(std::move(installNamespace)), errors_(errors), warnings_(warnings) {}

  const std::string& installNamespace() const { return installNamespace_; }

  IssueSink sink(std::string_view kind, const api::ObjectMeta& meta) const {
    return IssueSink(std::string(kind), meta.ns, meta.name, errors_, warnings_);
  }

  // The objects of the install namespace, sorted by name, one per name: the others are
  // reported (outside: warning; a second object of one name: error) and left out.
  template <class T>
  std::vector<const T*> inInstallNamespace(const std::vector<T>& objects,
                                           std::string_view kind) const;

  // metadata.name is a DNS-1123 subdomain.
  static void checkName(const api::ObjectMeta& meta, IssueSink& sink);

 private:
  void reportOutside(std::string_view kind, const api::ObjectMeta& meta) const;
  void reportDuplicate(std::string_view kind, const api::ObjectMeta& meta) const;

  std::string installNamespace_;
  std::vector<Issue>& errors_;
  std::vector<Issue>& warnings_;
};

template <class T>
std::vector<const T*> BuildScope::inInstallNamespace(const std::vector<T>& objects,
                                                     std::string_view kind) const {
  std::vector<const T*> out;
  for (const T& o : objects) {
    if (o.meta.ns == installNamespace_) {
      out.push_back(&o);
    } else {
      reportOutside(kind, o.meta);
    }
  }
  std::sort(out.begin(), out.end(), [](const T* a, const T* b) {
    return std::tie(a->meta.ns, a->meta.name, a->meta.uid) <
           std::tie(b->meta.ns, b->meta.name, b->meta.uid);
  });
  // Two objects with one name cannot come from one API server; guards snapshots assembled by
  // hand.
  std::vector<const T*> unique;
  for (const T* o : out) {
    if (!unique.empty() && unique.back()->meta.name == o->meta.name) {
      reportDuplicate(kind, o->meta);
      continue;
    }
    unique.push_back(o);
  }
  return unique;
}

// The pools an advertisement selects: the existing pools its `names` list (at `namesPath`; a
// repeated name is an error; a missing one a warning, or an error with `missingIsError`), plus
// the pools its `selectors` match (at `selectorsPath`), or every pool when both are empty.
// `pools` are the valid pools by name.
struct PoolSelection {
  NameSet pools;
  bool everyPool = false;
};
PoolSelection selectPools(const std::vector<std::string>& names, const std::string& namesPath,
                          const std::vector<api::LabelSelector>& selectors,
                          const std::string& selectorsPath, const std::vector<const Pool*>& pools,
                          const BuildScope& scope, bool missingIsError, IssueSink& sink);

}  // namespace ironlb::lbconfig
