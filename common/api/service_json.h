#pragma once
// Service's JSON decoding (service.h). The controller writes status at the JSON level
// (controller/daemon/service_status.h).

#include <nlohmann/json.hpp>

#include "common/api/object_meta_json.h"
#include "common/api/service.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<Service> decodeService(const nlohmann::json& json);

}  // namespace ironlb::api
