#include "common/api/metallb_types_json.h"

namespace ironlb::api {
namespace {

void decodeServiceAllocation(JsonReader& reader, const Field& field, ServiceAllocation& out) {
  reader.read(field["priority"], out.priority);
  reader.read(field["namespaces"], out.namespaces);
  decodeLabelSelectors(reader, field["namespaceSelectors"], out.namespaceSelectors);
  decodeLabelSelectors(reader, field["serviceSelectors"], out.serviceSelectors);
}

nlohmann::json statusPatch(nlohmann::json status, const std::string& resourceVersion) {
  nlohmann::json out = {{"status", std::move(status)}};
  if (!resourceVersion.empty()) out["metadata"] = {{"resourceVersion", resourceVersion}};
  return out;
}

// node, serviceName, serviceNamespace: what both Service*Status kinds' status carries.
template <class Status>
void decodeServiceStatusFields(JsonReader& reader, const Field& status, Status& out) {
  reader.read(status["node"], out.node);
  reader.read(status["serviceName"], out.serviceName);
  reader.read(status["serviceNamespace"], out.serviceNamespace);
}

template <class Status>
nlohmann::json encodeServiceStatusFields(const Status& status) {
  nlohmann::json out = nlohmann::json::object();
  if (!status.node.empty()) out["node"] = status.node;
  if (!status.serviceName.empty()) out["serviceName"] = status.serviceName;
  if (!status.serviceNamespace.empty()) out["serviceNamespace"] = status.serviceNamespace;
  return out;
}

nlohmann::json statusObject(const char* kind, const ObjectMeta& meta, nlohmann::json status) {
  return {{"apiVersion", kMetalLBApiVersion},
          {"kind", kind},
          {"metadata", encodeObjectMeta(meta)},
          {"spec", nlohmann::json::object()},
          {"status", std::move(status)}};
}

}  // namespace

Result<IPAddressPool> decodeIPAddressPool(const nlohmann::json& json) {
  return decodeObject<IPAddressPool>(
      json, "IPAddressPool", [](JsonReader& reader, const Field& root, IPAddressPool& out) {
        const Field spec = root["spec"];
        if (reader.object(spec)) {
          reader.read(spec["addresses"], out.spec.addresses);
          reader.read(spec["autoAssign"], out.spec.autoAssign);
          reader.read(spec["avoidBuggyIPs"], out.spec.avoidBuggyIps);
          const Field allocation = spec["serviceAllocation"];
          if (reader.object(allocation)) {
            decodeServiceAllocation(reader, allocation, out.spec.serviceAllocation.emplace());
          }
        }
        const Field status = root["status"];
        if (reader.object(status)) {
          reader.read(status["assignedIPv4"], out.status.assignedIpv4);
          reader.read(status["assignedIPv6"], out.status.assignedIpv6);
          reader.read(status["availableIPv4"], out.status.availableIpv4);
          reader.read(status["availableIPv6"], out.status.availableIpv6);
          reader.forEach(status["deletionBlockedBy"], [&](const Field& element) {
            reader.read(element, out.status.deletionBlockedBy.emplace_back());
          });
        }
      });
}

Result<L2Advertisement> decodeL2Advertisement(const nlohmann::json& json) {
  return decodeObject<L2Advertisement>(
      json, "L2Advertisement", [](JsonReader& reader, const Field& root, L2Advertisement& out) {
        const Field spec = root["spec"];
        if (!reader.object(spec)) return;
        reader.read(spec["ipAddressPools"], out.spec.ipAddressPools);
        decodeLabelSelectors(reader, spec["ipAddressPoolSelectors"],
                             out.spec.ipAddressPoolSelectors);
        decodeLabelSelectors(reader, spec["nodeSelectors"], out.spec.nodeSelectors);
        reader.read(spec["interfaces"], out.spec.interfaces);
        decodeLabelSelectors(reader, spec["serviceSelectors"], out.spec.serviceSelectors);
      });
}

Result<ServiceL2Status> decodeServiceL2Status(const nlohmann::json& json) {
  return decodeObject<ServiceL2Status>(
      json, "ServiceL2Status", [](JsonReader& reader, const Field& root, ServiceL2Status& out) {
        const Field status = root["status"];
        if (!reader.object(status)) return;
        decodeServiceStatusFields(reader, status, out.status);
        reader.forEach(status["interfaces"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          reader.read(element["name"], out.status.interfaces.emplace_back());
        });
      });
}

Result<ServiceBGPStatus> decodeServiceBGPStatus(const nlohmann::json& json) {
  return decodeObject<ServiceBGPStatus>(
      json, "ServiceBGPStatus", [](JsonReader& reader, const Field& root, ServiceBGPStatus& out) {
        const Field status = root["status"];
        if (!reader.object(status)) return;
        decodeServiceStatusFields(reader, status, out.status);
        reader.read(status["peers"], out.status.peers);
      });
}

nlohmann::json encodeIPAddressPoolStatus(const IPAddressPoolStatus& status) {
  nlohmann::json out = {{"assignedIPv4", status.assignedIpv4},
                        {"assignedIPv6", status.assignedIpv6},
                        {"availableIPv4", status.availableIpv4},
                        {"availableIPv6", status.availableIpv6}};
  if (!status.deletionBlockedBy.empty()) out["deletionBlockedBy"] = status.deletionBlockedBy;
  return out;
}

nlohmann::json encodeIPAddressPoolStatusPatch(const IPAddressPoolStatus& status,
                                              const std::string& resourceVersion) {
  nlohmann::json body = encodeIPAddressPoolStatus(status);
  if (status.deletionBlockedBy.empty()) body["deletionBlockedBy"] = nullptr;  // merge: remove
  return statusPatch(std::move(body), resourceVersion);
}

nlohmann::json encodeServiceL2Status(const ServiceL2Status& object) {
  nlohmann::json status = encodeServiceStatusFields(object.status);
  nlohmann::json interfaces = nlohmann::json::array();
  for (const auto& name : object.status.interfaces)
    interfaces.push_back({{"name", name}});
  if (!interfaces.empty()) status["interfaces"] = std::move(interfaces);
  return statusObject("ServiceL2Status", object.meta, std::move(status));
}

nlohmann::json encodeServiceBGPStatus(const ServiceBGPStatus& object) {
  nlohmann::json status = encodeServiceStatusFields(object.status);
  if (!object.status.peers.empty()) status["peers"] = object.status.peers;
  return statusObject("ServiceBGPStatus", object.meta, std::move(status));
}

}  // namespace ironlb::api
