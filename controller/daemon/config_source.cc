#include "controller/daemon/config_source.h"

#include "common/api/bgp_types_json.h"
#include "common/api/metallb_types_json.h"
#include "common/k8s/object_meta.h"

namespace ironlb::controller {
namespace {

template <class T, class Decode>
void decodeAll(const k8s::ObjectStore* store, const char* kind, Decode decode, std::vector<T>& out,
               std::vector<lbconfig::Issue>& errors) {
  if (!store) return;
  for (const auto& [key, json] : store->items()) {
    auto decoded = decode(json);
    if (decoded) {
      out.push_back(std::move(*decoded));
    } else {
      errors.push_back({kind, k8s::namespaceOf(json), k8s::nameOf(json), "", decoded.error()});
    }
  }
}

bool overlapsAny(const lbconfig::Pool& pool, const std::vector<lbconfig::Pool>& others) {
  for (const auto& other : others) {
    for (const auto& a : pool.ranges) {
      for (const auto& b : other.ranges)
        if (a.range.overlaps(b.range)) return true;
    }
  }
  return false;
}

}  // namespace

const std::array<ConfigSource, kConfigKinds>& configSources() {
  namespace r = k8s::resources;
  static const std::array<ConfigSource, kConfigKinds> kSources{{
      {&r::kIPAddressPools, &ConfigStores::pools},
      {&r::kL2Advertisements, &ConfigStores::l2Advertisements},
      {&r::kBGPPeers, &ConfigStores::bgpPeers},
      {&r::kBGPAdvertisements, &ConfigStores::bgpAdvertisements},
      {&r::kBFDProfiles, &ConfigStores::bfdProfiles},
      {&r::kCommunities, &ConfigStores::communities},
  }};
  return kSources;
}

const ConfigSource* configSourceOf(std::string_view kind) {
  for (const ConfigSource& source : configSources())
    if (source.type->kind == kind) return &source;
  return nullptr;
}

DecodedObjects decodeObjects(const ConfigStores& stores) {
  DecodedObjects out;
  std::vector<api::IPAddressPool> allPools;
  decodeAll(stores.pools, "IPAddressPool", api::decodeIPAddressPool, allPools, out.errors);
  for (auto& pool : allPools)
    (pool.meta.deleting() ? out.deletingPools : out.snapshot.pools).push_back(std::move(pool));
  decodeAll(stores.l2Advertisements, "L2Advertisement", api::decodeL2Advertisement,
            out.snapshot.l2Advertisements, out.errors);
  lbconfig::BgpSnapshot& bgp = out.snapshot.bgp;
  decodeAll(stores.bgpPeers, "BGPPeer", api::decodeBGPPeer, bgp.peers, out.errors);
  decodeAll(stores.bgpAdvertisements, "BGPAdvertisement", api::decodeBGPAdvertisement,
            bgp.advertisements, out.errors);
  decodeAll(stores.bfdProfiles, "BFDProfile", api::decodeBFDProfile, bgp.bfdProfiles, out.errors);
  decodeAll(stores.communities, "Community", api::decodeCommunity, bgp.communities, out.errors);
  return out;
}

lbconfig::BuildResult buildConfig(const ConfigStores& stores, const std::string& installNamespace,
                                  std::vector<lbconfig::Pool>* deleting) {
  auto [snapshot, deletingPools, decodeErrors] = decodeObjects(stores);
  lbconfig::BuildResult result = lbconfig::build(snapshot, {.installNamespace = installNamespace});
  if (!decodeErrors.empty()) {
    result.config.reset();
    result.errors.insert(result.errors.end(), decodeErrors.begin(), decodeErrors.end());
    lbconfig::sortIssues(result.errors);
  }
  if (deleting && result.config) {
    std::vector<lbconfig::Pool> live;
    for (const auto& [name, pool] : result.config->pools())
      live.push_back(pool);
    for (auto& pool : deletingPools) {  // the store is sorted by key: by name
      lbconfig::Snapshot alone;
      alone.pools.push_back(std::move(pool));
      lbconfig::BuildResult one = lbconfig::build(alone, {.installNamespace = installNamespace});
      if (!one.config) continue;
      for (const auto& [name, built] : one.config->pools()) {
        if (overlapsAny(built, live) || overlapsAny(built, *deleting)) continue;
        deleting->push_back(built);
        deleting->back().deleting = true;
      }
    }
  }
  return result;
}

}  // namespace ironlb::controller
