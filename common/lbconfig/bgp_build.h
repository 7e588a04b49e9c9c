#pragma once
// buildBgp: the BGP-side metallb.io objects -> a validated BgpConfig, reporting every finding
// with object, field and value (docs/bgp.md). Pure: no I/O, no clock. Called by lbconfig::build
// with the pools it has validated; an error anywhere keeps the daemons on their last good
// Config, so an invalid BGP object never withdraws what is announced.

#include <vector>

#include "common/api/bgp_types.h"
#include "common/lbconfig/bgp_config.h"
#include "common/lbconfig/build_support.h"
#include "common/lbconfig/pool.h"

namespace ironlb::lbconfig {

struct BgpSnapshot {
  std::vector<api::BGPPeer> peers;
  std::vector<api::BGPAdvertisement> advertisements;
  std::vector<api::BFDProfile> bfdProfiles;
  std::vector<api::Community> communities;

  bool empty() const {
    return peers.empty() && advertisements.empty() && bfdProfiles.empty() && communities.empty();
  }
};

struct BgpBuildResult {
  BgpConfig config;         // meaningful only when the scope's errors stayed empty
  NameSet advertisedPools;  // pools some BGPAdvertisement selects (valid or not)
};

// `pools`: the valid pools, by name. `missingIsError`: a pool or peer reference to an object
// that does not exist is an error rather than a warning (the admission webhook's stricter mode).
BgpBuildResult buildBgp(const BgpSnapshot& snapshot, const std::vector<const Pool*>& pools,
                        const BuildScope& scope, bool missingIsError);

}  // namespace ironlb::lbconfig
