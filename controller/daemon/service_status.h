#pragma once
// What a Service shows versus what the controller wants it to show, and the change applied to
// its JSON before a PUT on the status subresource. The status subresource of a Service keeps
// metadata changes, which is how MetalLB writes the ip-allocated-from-pool annotation in the
// same request as the ingress IPs; ironlb does the same (and needs only `update` on
// services/status, as the chart grants).

#include <nlohmann/json.hpp>

#include "common/api/service.h"
#include "controller/reconciler/service_reconciler.h"

namespace ironlb::controller {

// status.loadBalancer.ingress holds exactly the desired IPs in order (nothing else), the
// metallb.io/ip-allocated-from-pool annotation equals desired.pool (absent when ""), and the
// deprecated metallb.universe.tf/ip-allocated-from-pool is gone.
bool showsDesired(const api::Service& service, const reconciler::DesiredStatus& desired);

// Makes `service` (API JSON) show `desired`. The ingress list is replaced only when its IPs
// differ, so fields the server fills in (ipMode) stay. Returns whether anything changed.
bool applyDesired(nlohmann::json& service, const reconciler::DesiredStatus& desired);

}  // namespace ironlb::controller
