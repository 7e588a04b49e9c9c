#pragma once
// ConfigurationState's JSON mapping (configuration_state.h).

#include <nlohmann/json.hpp>

#include "common/api/configuration_state.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<ConfigurationState> decodeConfigurationState(const nlohmann::json& json);
// The `status` object (empty fields left out).
nlohmann::json encodeConfigurationStateStatus(const ConfigurationStateStatus& status);
// The whole object for create (apiVersion, kind, metadata, empty spec, status).
nlohmann::json encodeConfigurationState(const ConfigurationState& object);

}  // namespace ironlb::api
