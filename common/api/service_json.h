#pragma once
// Service's JSON mapping (service.h): decoding, and the status patch the controller writes.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api/object_meta_json.h"
#include "common/api/service.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<Service> decodeService(const nlohmann::json& json);

// status.loadBalancer.ingress as JSON (always a list, possibly empty).
nlohmann::json encodeLoadBalancerIngress(const std::vector<LoadBalancerIngress>& ingress);
// A merge-patch body for .../services/<name>/status that sets exactly the ingress list:
// {"metadata":{"resourceVersion"},"status":{"loadBalancer":{"ingress":[...]}}}. The list is
// written even when empty so that a patch clears old IPs; with a resourceVersion the API
// server rejects a stale write with 409 (empty: no precondition).
nlohmann::json encodeServiceStatusPatch(const std::vector<LoadBalancerIngress>& ingress,
                                        const std::string& resource_version);

}  // namespace ironlb::api
