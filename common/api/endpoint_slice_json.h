#pragma once
// EndpointSlice's JSON mapping (endpoint_slice.h).

#include <nlohmann/json.hpp>

#include "common/api/endpoint_slice.h"
#include "common/api/object_meta_json.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<EndpointSlice> decodeEndpointSlice(const nlohmann::json& json);

}  // namespace ironlb::api
