#pragma once
// The configuration objects as the informers hold them (API JSON) -> lbconfig::build. An object
// that does not even decode is an error of the whole configuration, like any other (the last
// valid configuration stays in force), reported on that object.

#include <string>
#include <vector>

#include "common/k8s/object_store.h"
#include "common/lbconfig/build.h"

namespace ironlb::controller {

// The stored objects decoded: live pools and advertisements, pools being deleted (see below), and
// an error for each object that does not decode. The admission webhook judges changes against
// the same snapshot (docs/webhook.md).
struct DecodedObjects {
  lbconfig::Snapshot snapshot;
  std::vector<api::IPAddressPool> deletingPools;
  std::vector<lbconfig::Issue> errors;
};
DecodedObjects decodeObjects(const k8s::ObjectStore& pools, const k8s::ObjectStore& advertisements);

// Pools being deleted (metadata.deletionTimestamp set; kept by the pool-protection finalizer while
// Services hold their addresses, docs/allocation.md) are left out of the configuration. When
// `deleting` is given, each such pool that is valid on its own and shares no address with a
// live pool or an earlier (by name) deleting one is added to it with Pool::deleting set: its
// holders keep their addresses. One that overlaps a live pool is left out: a renamed pool takes
// over its Services (their IPs follow into the new pool).
lbconfig::BuildResult buildConfig(const k8s::ObjectStore& pools,
                                  const k8s::ObjectStore& advertisements,
                                  const std::string& installNamespace,
                                  std::vector<lbconfig::Pool>* deleting = nullptr);

}  // namespace ironlb::controller
