#pragma once
// Decoding a configuration object by its kind (config_object.h). Header-only: lbconfig itself
// does not depend on the JSON mapping; users link ironlb_api_json.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api/bgp_types_json.h"
#include "common/api/metallb_types_json.h"
#include "common/lbconfig/config_object.h"

namespace ironlb::lbconfig {

namespace config_object_detail {
template <class T>
Result<ConfigObject> wrap(Result<T> decoded) {
  if (!decoded) return Error{decoded.error()};
  return ConfigObject(std::move(*decoded));
}
}  // namespace config_object_detail

// An error for a kind the configuration is not made of, or what the kind's decoder refused.
inline Result<ConfigObject> decodeConfigObject(std::string_view kind, const nlohmann::json& json) {
  using config_object_detail::wrap;
  if (kind == "IPAddressPool") return wrap(api::decodeIPAddressPool(json));
  if (kind == "L2Advertisement") return wrap(api::decodeL2Advertisement(json));
  if (kind == "BGPPeer") return wrap(api::decodeBGPPeer(json));
  if (kind == "BGPAdvertisement") return wrap(api::decodeBGPAdvertisement(json));
  if (kind == "BFDProfile") return wrap(api::decodeBFDProfile(json));
  if (kind == "Community") return wrap(api::decodeCommunity(json));
  return Error{"kind " + std::string(kind) + " is not a configuration kind"};
}

}  // namespace ironlb::lbconfig
