#include "common/api/endpoint_slice_json.h"

namespace ironlb::api {

Result<EndpointSlice> decodeEndpointSlice(const nlohmann::json& json) {
  return decodeObject<EndpointSlice>(
      json, "EndpointSlice", [](JsonReader& reader, const Field& root, EndpointSlice& out) {
        reader.read(root["addressType"], out.addressType);
        reader.forEach(root["endpoints"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          Endpoint& endpoint = out.endpoints.emplace_back();
          reader.read(element["addresses"], endpoint.addresses);
          const Field conditions = element["conditions"];
          if (reader.object(conditions)) {
            reader.read(conditions["ready"], endpoint.conditions.ready);
            reader.read(conditions["serving"], endpoint.conditions.serving);
            reader.read(conditions["terminating"], endpoint.conditions.terminating);
          }
          reader.read(element["nodeName"], endpoint.nodeName);
        });
        reader.forEach(root["ports"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          EndpointPort& port = out.ports.emplace_back();
          reader.read(element["name"], port.name);
          reader.read(element["protocol"], port.protocol);
          reader.read(element["port"], port.port);
        });
      });
}

}  // namespace ironlb::api
