#include "common/api/configuration_state_json.h"

#include "common/api/metallb_types.h"
#include "common/api/object_meta_json.h"

namespace ironlb::api {

Result<ConfigurationState> decodeConfigurationState(const nlohmann::json& json) {
  return decodeObject<ConfigurationState>(
      json, "ConfigurationState",
      [](JsonReader& reader, const Field& root, ConfigurationState& out) {
        const Field status = root["status"];
        if (!reader.object(status)) return;
        reader.read(status["result"], out.status.verdict.result);
        reader.read(status["lastError"], out.status.verdict.lastError);
        reader.read(status["errorSummary"], out.status.verdict.errorSummary);
        reader.forEach(status["conditions"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          Condition& c = out.status.conditions.emplace_back();
          reader.read(element["type"], c.type);
          reader.read(element["status"], c.status);
          reader.read(element["reason"], c.reason);
          reader.read(element["message"], c.message);
          reader.read(element["lastTransitionTime"], c.lastTransitionTime);
        });
      });
}

nlohmann::json encodeConfigurationStateStatus(const ConfigurationStateStatus& status) {
  nlohmann::json out = {{"result", status.verdict.result}};
  if (!status.verdict.lastError.empty()) out["lastError"] = status.verdict.lastError;
  if (!status.verdict.errorSummary.empty()) out["errorSummary"] = status.verdict.errorSummary;
  if (!status.conditions.empty()) {
    nlohmann::json conditions = nlohmann::json::array();
    for (const Condition& c : status.conditions)
      conditions.push_back({{"type", c.type},
                            {"status", c.status},
                            {"reason", c.reason},
                            {"message", c.message},
                            {"lastTransitionTime", c.lastTransitionTime}});
    out["conditions"] = std::move(conditions);
  }
  return out;
}

nlohmann::json encodeConfigurationState(const ConfigurationState& object) {
  return {{"apiVersion", kMetalLBApiVersion},
          {"kind", "ConfigurationState"},
          {"metadata", encodeObjectMeta(object.meta)},
          {"spec", nlohmann::json::object()},
          {"status", encodeConfigurationStateStatus(object.status)}};
}

}  // namespace ironlb::api
