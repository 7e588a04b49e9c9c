#include "common/lbconfig/build_support.h"

#include "common/lbconfig/label_selector.h"
#include "common/lbconfig/names.h"
#include "common/lbconfig/selector_parse.h"

namespace ironlb::lbconfig {

using api::describeString;
using api::indexPath;

void BuildScope::reportOutside(std::string_view kind, const api::ObjectMeta& meta) const {
  sink(kind, meta)
      .warning("metadata.namespace",
               "ignored: " + std::string(kind) + " objects are only read from namespace " +
                   describeString(installNamespace_) + ", where ironlb is installed");
}

void BuildScope::reportDuplicate(std::string_view kind, const api::ObjectMeta& meta) const {
  sink(kind, meta)
      .error("metadata.name",
             std::string(kind) + " " + describeString(meta.name) + " is defined more than once");
}

void BuildScope::checkName(const api::ObjectMeta& meta, IssueSink& sink) {
  if (meta.name.empty()) {
    sink.error("metadata.name", "a name is required");
  } else if (auto why = checkDns1123Subdomain(meta.name)) {
    sink.error("metadata.name", "invalid name " + describeString(meta.name) + ": " + *why);
  }
}

PoolSelection selectPools(const std::vector<std::string>& names, const std::string& namesPath,
                          const std::vector<api::LabelSelector>& selectors,
                          const std::string& selectorsPath, const std::vector<const Pool*>& pools,
                          const BuildScope& scope, bool missingIsError, IssueSink& sink) {
  PoolSelection out;
  out.everyPool = names.empty() && selectors.empty();
  const auto exists = [&](const std::string& name) {
    return std::any_of(pools.begin(), pools.end(), [&](const Pool* p) { return p->name == name; });
  };
  DuplicateCheck seen(namesPath, "pool");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    if (!seen.first(name, i, sink)) continue;
    if (exists(name)) {
      out.pools.insert(name);
      continue;
    }
    const std::string missing = "IPAddressPool " + describeString(name) +
                                " does not exist in namespace " +
                                describeString(scope.installNamespace());
    if (missingIsError) {
      sink.error(indexPath(namesPath, i), missing + "; create the pool first, or fix the name");
    } else {
      sink.warning(indexPath(namesPath, i),
                   missing + "; ignored until it is created (as MetalLB does)");
    }
  }
  const std::vector<LabelSelector> parsed = parseSelectors(selectors, selectorsPath, sink);
  for (const Pool* p : pools) {
    if (out.everyPool || anyMatches(parsed, p->labels, false)) out.pools.insert(p->name);
  }
  return out;
}

}  // namespace ironlb::lbconfig
