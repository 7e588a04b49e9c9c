#include "common/api/service_json.h"

#include <array>
#include <utility>

#include "common/util/strings.h"

namespace ironlb::api {
namespace {

constexpr std::array<std::pair<std::string_view, net::Family>, 2> kFamilies = {{
    {"IPv4", net::Family::kV4},
    {"IPv6", net::Family::kV6},
}};

// Reads a string that must be one of `table`'s names; the error lists the accepted ones.
template <class E, std::size_t N>
std::optional<E> readEnum(JsonReader& reader, const Field& field,
                          const std::array<std::pair<std::string_view, E>, N>& table) {
  if (field.absent()) return std::nullopt;
  std::string text;
  const std::size_t errors = reader.errors().size();
  reader.read(field, text);
  if (reader.errors().size() != errors) return std::nullopt;
  for (const auto& [name, value] : table) {
    if (name == text) return value;
  }
  const std::string accepted =
      util::joinList(table, ", ", [](const auto& entry) { return std::string(entry.first); });
  reader.fail(field, "expected one of " + accepted + ", got " + describeString(text));
  return std::nullopt;
}

}  // namespace

Result<Service> decodeService(const nlohmann::json& json) {
  return decodeObject<Service>(
      json, "Service", [](JsonReader& reader, const Field& root, Service& out) {
        const Field spec = root["spec"];
        if (reader.object(spec)) {
          reader.read(spec["type"], out.spec.type);
          reader.forEach(spec["ports"], [&](const Field& element) {
            if (!reader.requiredObject(element)) return;
            ServicePort& port = out.spec.ports.emplace_back();
            reader.read(element["name"], port.name);
            reader.read(element["protocol"], port.protocol);
            reader.read(element["port"], port.port);
          });
          reader.read(spec["loadBalancerIP"], out.spec.loadBalancerIp);
          reader.read(spec["loadBalancerClass"], out.spec.loadBalancerClass);
          reader.forEach(spec["ipFamilies"], [&](const Field& element) {
            if (element.absent()) return reader.expected(element, "a string");
            if (auto family = readEnum(reader, element, kFamilies)) {
              out.spec.ipFamilies.push_back(*family);
            }
          });
          out.spec.ipFamilyPolicy = readEnum(reader, spec["ipFamilyPolicy"], kIpFamilyPolicyNames);
          reader.read(spec["clusterIP"], out.spec.clusterIp);
          reader.read(spec["clusterIPs"], out.spec.clusterIps);
          if (auto policy = readEnum(reader, spec["externalTrafficPolicy"], kTrafficPolicyNames)) {
            out.spec.externalTrafficPolicy = *policy;
          }
          reader.read(spec["selector"], out.spec.selector);
        }
        const Field status = root["status"];
        if (!reader.object(status)) return;
        const Field lb = status["loadBalancer"];
        if (!reader.object(lb)) return;
        reader.forEach(lb["ingress"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          LoadBalancerIngress& ingress = out.status.ingress.emplace_back();
          reader.read(element["ip"], ingress.ip);
          reader.read(element["hostname"], ingress.hostname);
          reader.read(element["ipMode"], ingress.ipMode);
        });
      });
}

}  // namespace ironlb::api
