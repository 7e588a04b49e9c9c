#pragma once
// The BGP-side metallb.io custom resources' JSON mapping (bgp_types.h).

#include <nlohmann/json.hpp>

#include "common/api/bgp_types.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<BGPPeer> decodeBGPPeer(const nlohmann::json& json);
Result<BGPAdvertisement> decodeBGPAdvertisement(const nlohmann::json& json);
Result<BFDProfile> decodeBFDProfile(const nlohmann::json& json);
Result<Community> decodeCommunity(const nlohmann::json& json);

}  // namespace ironlb::api
