#include "common/api/metallb_types_json.h"

namespace ironlb::api {
namespace {

void decodeServiceAllocation(JsonReader& reader, const Field& field, ServiceAllocation& out) {
  reader.read(field["priority"], out.priority);
  reader.read(field["namespaces"], out.namespaces);
  decodeLabelSelectors(reader, field["namespaceSelectors"], out.namespace_selectors);
  decodeLabelSelectors(reader, field["serviceSelectors"], out.service_selectors);
}

nlohmann::json statusPatch(nlohmann::json status, const std::string& resource_version) {
  nlohmann::json out = {{"status", std::move(status)}};
  if (!resource_version.empty()) out["metadata"] = {{"resourceVersion", resource_version}};
  return out;
}

}  // namespace

Result<IPAddressPool> decodeIPAddressPool(const nlohmann::json& json) {
  return decodeObject<IPAddressPool>(
      json, "IPAddressPool", [](JsonReader& reader, const Field& root, IPAddressPool& out) {
        const Field spec = root["spec"];
        if (reader.object(spec)) {
          reader.read(spec["addresses"], out.spec.addresses);
          reader.read(spec["autoAssign"], out.spec.auto_assign);
          reader.read(spec["avoidBuggyIPs"], out.spec.avoid_buggy_ips);
          const Field allocation = spec["serviceAllocation"];
          if (reader.object(allocation)) {
            decodeServiceAllocation(reader, allocation, out.spec.service_allocation.emplace());
          }
        }
        const Field status = root["status"];
        if (reader.object(status)) {
          reader.read(status["assignedIPv4"], out.status.assigned_ipv4);
          reader.read(status["assignedIPv6"], out.status.assigned_ipv6);
          reader.read(status["availableIPv4"], out.status.available_ipv4);
          reader.read(status["availableIPv6"], out.status.available_ipv6);
          reader.forEach(status["deletionBlockedBy"], [&](const Field& element) {
            reader.read(element, out.status.deletion_blocked_by.emplace_back());
          });
        }
      });
}

Result<L2Advertisement> decodeL2Advertisement(const nlohmann::json& json) {
  return decodeObject<L2Advertisement>(
      json, "L2Advertisement", [](JsonReader& reader, const Field& root, L2Advertisement& out) {
        const Field spec = root["spec"];
        if (!reader.object(spec)) return;
        reader.read(spec["ipAddressPools"], out.spec.ip_address_pools);
        decodeLabelSelectors(reader, spec["ipAddressPoolSelectors"],
                             out.spec.ip_address_pool_selectors);
        decodeLabelSelectors(reader, spec["nodeSelectors"], out.spec.node_selectors);
        reader.read(spec["interfaces"], out.spec.interfaces);
        decodeLabelSelectors(reader, spec["serviceSelectors"], out.spec.service_selectors);
      });
}

Result<ServiceL2Status> decodeServiceL2Status(const nlohmann::json& json) {
  return decodeObject<ServiceL2Status>(
      json, "ServiceL2Status", [](JsonReader& reader, const Field& root, ServiceL2Status& out) {
        const Field status = root["status"];
        if (!reader.object(status)) return;
        reader.read(status["node"], out.status.node);
        reader.read(status["serviceName"], out.status.service_name);
        reader.read(status["serviceNamespace"], out.status.service_namespace);
        reader.forEach(status["interfaces"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          reader.read(element["name"], out.status.interfaces.emplace_back());
        });
      });
}

nlohmann::json encodeIPAddressPoolStatus(const IPAddressPoolStatus& status) {
  nlohmann::json out = {{"assignedIPv4", status.assigned_ipv4},
                        {"assignedIPv6", status.assigned_ipv6},
                        {"availableIPv4", status.available_ipv4},
                        {"availableIPv6", status.available_ipv6}};
  if (!status.deletion_blocked_by.empty()) out["deletionBlockedBy"] = status.deletion_blocked_by;
  return out;
}

nlohmann::json encodeIPAddressPoolStatusPatch(const IPAddressPoolStatus& status,
                                              const std::string& resource_version) {
  nlohmann::json body = encodeIPAddressPoolStatus(status);
  if (status.deletion_blocked_by.empty()) body["deletionBlockedBy"] = nullptr;  // merge: remove
  return statusPatch(std::move(body), resource_version);
}

nlohmann::json encodeServiceL2Status(const ServiceL2Status& object) {
  nlohmann::json interfaces = nlohmann::json::array();
  for (const auto& name : object.status.interfaces)
    interfaces.push_back({{"name", name}});
  nlohmann::json status = nlohmann::json::object();
  if (!object.status.node.empty()) status["node"] = object.status.node;
  if (!object.status.service_name.empty()) status["serviceName"] = object.status.service_name;
  if (!object.status.service_namespace.empty()) {
    status["serviceNamespace"] = object.status.service_namespace;
  }
  if (!interfaces.empty()) status["interfaces"] = std::move(interfaces);
  return {{"apiVersion", kMetalLBApiVersion},
          {"kind", "ServiceL2Status"},
          {"metadata", encodeObjectMeta(object.meta)},
          {"spec", nlohmann::json::object()},
          {"status", std::move(status)}};
}

}  // namespace ironlb::api
