#pragma once
// The configuration objects as the informers hold them (API JSON) -> lbconfig::build. An object
// that does not even decode is an error of the whole configuration, like any other (the last
// valid configuration stays in force), reported on that object. The controller reads the same
// kinds as the speakers, BGP mode's too (docs/bgp.md), so that its verdict and warnings are
// theirs; only pools matter to Service allocation, the rest only to configuration rebuilds.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/k8s/object_store.h"
#include "common/k8s/resource.h"
#include "common/lbconfig/build.h"

namespace ironlb::controller {

// One store per kind the configuration is made of, all read from the install namespace; a kind
// left null counts as no objects.
struct ConfigStores {
  const k8s::ObjectStore* pools = nullptr;
  const k8s::ObjectStore* l2Advertisements = nullptr;
  const k8s::ObjectStore* bgpPeers = nullptr;
  const k8s::ObjectStore* bgpAdvertisements = nullptr;
  const k8s::ObjectStore* bfdProfiles = nullptr;
  const k8s::ObjectStore* communities = nullptr;
};

// Each kind and the member of ConfigStores that holds its objects: what the daemon watches and
// the admission webhook lists.
struct ConfigSource {
  const k8s::ResourceType* type;
  const k8s::ObjectStore* ConfigStores::*store;
};
inline constexpr std::size_t kConfigKinds = 6;
const std::array<ConfigSource, kConfigKinds>& configSources();
// The source of the kind named `kind` ("BGPPeer", ...), or null.
const ConfigSource* configSourceOf(std::string_view kind);

// The stored objects decoded: live pools and advertisements, pools being deleted (see below), and
// an error for each object that does not decode. The admission webhook judges changes against
// the same snapshot (docs/webhook.md).
struct DecodedObjects {
  lbconfig::Snapshot snapshot;
  std::vector<api::IPAddressPool> deletingPools;
  std::vector<lbconfig::Issue> errors;
};
DecodedObjects decodeObjects(const ConfigStores& stores);

// Pools being deleted (metadata.deletionTimestamp set; kept by the pool-protection finalizer while
// Services hold their addresses, docs/allocation.md) are left out of the configuration. When
// `deleting` is given, each such pool that is valid on its own and shares no address with a
// live pool or an earlier (by name) deleting one is added to it with Pool::deleting set: its
// holders keep their addresses. One that overlaps a live pool is left out: a renamed pool takes
// over its Services (their IPs follow into the new pool).
lbconfig::BuildResult buildConfig(const ConfigStores& stores, const std::string& installNamespace,
                                  std::vector<lbconfig::Pool>* deleting = nullptr);

}  // namespace ironlb::controller
