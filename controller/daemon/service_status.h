#pragma once
// What a Service shows versus what the controller wants it to show, and the change applied to
// its JSON before a PUT on the status subresource. The status subresource of a Service keeps
// metadata changes, which is how MetalLB writes the ip-allocated-from-pool annotation in the
// same request as the ingress IPs; ironlb does the same (and needs only `update` on
// services/status, as the chart grants).

#include <nlohmann/json.hpp>

#include "common/api/service_json.h"
#include "controller/reconciler/service_reconciler.h"

namespace ironlb::controller {

// status.loadBalancer.ingress holds exactly the desired IPs in order (nothing else), the
// metallb.io/ip-allocated-from-pool annotation equals desired.pool (absent when ""), and the
// deprecated metallb.universe.tf/ip-allocated-from-pool is gone.
bool statusMatchesDesired(const api::Service& service, const reconciler::DesiredStatus& desired);

// Makes a decoded Service show `desired`, as it will once a write of `desired` has landed (the
// decoded twin of applyDesired below).
void applyDesiredToDecoded(api::Service& service, const reconciler::DesiredStatus& desired);

// Whether an update changed only what the controller writes (status, resourceVersion,
// managedFields, the ip-allocated-from-pool annotation): nothing the reconcile reads.
bool onlyStatusChanged(const nlohmann::json& before, const nlohmann::json& after);

// Whether the Service JSON shows `desired` (the JSON twin of statusMatchesDesired, without
// decoding).
bool jsonStatusMatchesDesired(const nlohmann::json& service,
                              const reconciler::DesiredStatus& desired);

// Cheap test on the JSON: a LoadBalancer of another class, or a Service that is no
// LoadBalancer and carries neither our annotation nor ingress IPs. Such a Service needs no
// decoding unless the controller holds IPs for it.
bool plainlyNotOurs(const nlohmann::json& service, std::string_view lbClass);

// The Services informer's transform. Drops metadata.managedFields (half of a Service in
// memory; status writes omit them and the server keeps them). A Service that is plainly not
// ours (see above) is cut down to what says so (name, namespace, uid, resourceVersion,
// deletionTimestamp, spec.type, spec.loadBalancerClass): the controller never writes such a
// Service, and in most clusters they are the majority.
void slimService(nlohmann::json& service, std::string_view lbClass);

// Makes `service` (API JSON) show `desired`. The ingress list is replaced only when its IPs
// differ, so fields the server fills in (ipMode) stay. Returns whether anything changed.
bool applyDesired(nlohmann::json& service, const reconciler::DesiredStatus& desired);

}  // namespace ironlb::controller
