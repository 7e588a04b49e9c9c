// The two status kinds: their decoders and the objects this node writes.
#include "speaker/daemon/status_kind.h"

#include "common/api/metallb_types_json.h"

namespace ironlb::speaker {
namespace {

api::ObjectMeta ownMeta(const char* generateName, const std::string& ns, const std::string& node,
                        const control::StatusOp& op) {
  api::ObjectMeta meta;
  meta.generateName = generateName;
  meta.ns = ns;
  meta.labels = {{control::kL2StatusNodeLabel, node},
                 {control::kL2StatusServiceNameLabel, op.service.second},
                 {control::kL2StatusServiceNamespaceLabel, op.service.first}};
  return meta;
}

template <class Status>
void fillStatus(Status& status, const std::string& node, const control::StatusOp& op) {
  status.node = node;
  status.serviceName = op.service.second;
  status.serviceNamespace = op.service.first;
}

Result<StatusFields> decodeL2(const k8s::Json& object) {
  auto decoded = api::decodeServiceL2Status(object);
  if (!decoded) return Error{decoded.error()};
  return StatusFields{std::move(decoded->meta), std::move(decoded->status.node),
                      std::move(decoded->status.interfaces)};
}

k8s::Json encodeL2(const std::string& ns, const std::string& node, const control::StatusOp& op) {
  api::ServiceL2Status out;
  out.meta = ownMeta("l2-", ns, node, op);
  fillStatus(out.status, node, op);
  out.status.interfaces = op.items;
  return api::encodeServiceL2Status(out);
}

Result<StatusFields> decodeBgp(const k8s::Json& object) {
  auto decoded = api::decodeServiceBGPStatus(object);
  if (!decoded) return Error{decoded.error()};
  return StatusFields{std::move(decoded->meta), std::move(decoded->status.node),
                      std::move(decoded->status.peers)};
}

k8s::Json encodeBgp(const std::string& ns, const std::string& node, const control::StatusOp& op) {
  api::ServiceBGPStatus out;
  out.meta = ownMeta("bgp-", ns, node, op);
  fillStatus(out.status, node, op);
  out.status.peers = op.items;
  return api::encodeServiceBGPStatus(out);
}

}  // namespace

const StatusKind kL2StatusKind{&k8s::resources::kServiceL2Statuses, "servicel2status", decodeL2,
                               encodeL2};
const StatusKind kBgpStatusKind{&k8s::resources::kServiceBGPStatuses, "servicebgpstatus", decodeBgp,
                                encodeBgp};

}  // namespace ironlb::speaker
