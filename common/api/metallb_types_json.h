#pragma once
// The metallb.io/v1beta1 custom resources' JSON mapping (metallb_types.h).

#include <string>

#include <nlohmann/json.hpp>

#include "common/api/label_selector_json.h"
#include "common/api/metallb_types.h"
#include "common/api/object_meta_json.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<IPAddressPool> decodeIPAddressPool(const nlohmann::json& json);
Result<L2Advertisement> decodeL2Advertisement(const nlohmann::json& json);
Result<ServiceL2Status> decodeServiceL2Status(const nlohmann::json& json);
Result<ServiceBGPStatus> decodeServiceBGPStatus(const nlohmann::json& json);

// The pool's `status` object (all four counters, always present: the CRD marks them required).
nlohmann::json encodeIPAddressPoolStatus(const IPAddressPoolStatus& status);
// A merge-patch body for .../ipaddresspools/<name>/status: {"metadata":{"resourceVersion"},
// "status":{...}}. With a resourceVersion the API server rejects a stale write with 409;
// empty means "no precondition".
nlohmann::json encodeIPAddressPoolStatusPatch(const IPAddressPoolStatus& status,
                                              const std::string& resourceVersion);
// The whole object for create/update (apiVersion, kind, metadata, empty spec, status).
nlohmann::json encodeServiceL2Status(const ServiceL2Status& object);
nlohmann::json encodeServiceBGPStatus(const ServiceBGPStatus& object);

}  // namespace ironlb::api
