#include "controller/daemon/config_source.h"

#include "common/k8s/object_meta.h"

namespace ironlb::controller {
namespace {

template <class T, class Decode>
void decodeAll(const k8s::ObjectStore& store, const char* kind, Decode decode, std::vector<T>& out,
               std::vector<lbconfig::Issue>& errors) {
  for (const auto& [key, json] : store.items()) {
    auto decoded = decode(json);
    if (decoded) {
      out.push_back(std::move(*decoded));
    } else {
      errors.push_back({kind, k8s::namespaceOf(json), k8s::nameOf(json), "", decoded.error()});
    }
  }
}

}  // namespace

lbconfig::BuildResult buildConfig(const k8s::ObjectStore& pools,
                                  const k8s::ObjectStore& advertisements,
                                  const std::string& install_namespace) {
  lbconfig::Snapshot snapshot;
  std::vector<lbconfig::Issue> decode_errors;
  decodeAll(pools, "IPAddressPool", api::decodeIPAddressPool, snapshot.pools, decode_errors);
  decodeAll(advertisements, "L2Advertisement", api::decodeL2Advertisement,
            snapshot.l2_advertisements, decode_errors);
  lbconfig::BuildResult result =
      lbconfig::build(snapshot, {.install_namespace = install_namespace});
  if (!decode_errors.empty()) {
    result.config.reset();
    result.errors.insert(result.errors.end(), decode_errors.begin(), decode_errors.end());
    lbconfig::sortIssues(result.errors);
  }
  return result;
}

}  // namespace ironlb::controller
