#pragma once
// Encoders only tests use: they turn API structs back into the JSON the API server would serve,
// so decoder tests and fuzz targets can check round trips. Production writes Service status at
// the JSON level (controller/daemon/service_status.h) and never sends a LabelSelector.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api/label_selector.h"
#include "common/api/service.h"

namespace ironlb::api {

// A selector as the API serves it (empty parts left out).
inline nlohmann::json encodeLabelSelector(const LabelSelector& selector) {
  nlohmann::json out = nlohmann::json::object();
  if (!selector.matchLabels.empty()) out["matchLabels"] = selector.matchLabels;
  if (!selector.matchExpressions.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : selector.matchExpressions) {
      nlohmann::json e = {{"key", r.key}, {"operator", r.op}};
      if (!r.values.empty()) e["values"] = r.values;
      list.push_back(std::move(e));
    }
    out["matchExpressions"] = std::move(list);
  }
  return out;
}

// status.loadBalancer.ingress as JSON (always a list, possibly empty).
inline nlohmann::json encodeLoadBalancerIngress(const std::vector<LoadBalancerIngress>& ingress) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& i : ingress) {
    nlohmann::json entry = nlohmann::json::object();
    if (!i.ip.empty()) entry["ip"] = i.ip;
    if (!i.hostname.empty()) entry["hostname"] = i.hostname;
    if (i.ipMode) entry["ipMode"] = *i.ipMode;
    list.push_back(std::move(entry));
  }
  return list;
}

// A merge-patch body for .../services/<name>/status that sets exactly the ingress list:
// {"metadata":{"resourceVersion"},"status":{"loadBalancer":{"ingress":[...]}}}.
inline nlohmann::json encodeServiceStatusPatch(const std::vector<LoadBalancerIngress>& ingress,
                                               const std::string& resourceVersion) {
  nlohmann::json out = {
      {"status", {{"loadBalancer", {{"ingress", encodeLoadBalancerIngress(ingress)}}}}}};
  if (!resourceVersion.empty()) out["metadata"] = {{"resourceVersion", resourceVersion}};
  return out;
}

}  // namespace ironlb::api
