#include "common/api/node_json.h"

namespace ironlb::api {

Result<Node> decodeNode(const nlohmann::json& json) {
  return decodeObject<Node>(json, "Node", [](JsonReader& reader, const Field& root, Node& out) {
    const Field status = root["status"];
    if (!reader.object(status)) return;
    reader.forEach(status["conditions"], [&](const Field& element) {
      if (!reader.requiredObject(element)) return;
      NodeCondition& condition = out.conditions.emplace_back();
      reader.read(element["type"], condition.type);
      reader.read(element["status"], condition.status);
    });
    reader.forEach(status["addresses"], [&](const Field& element) {
      if (!reader.requiredObject(element)) return;
      NodeAddress& address = out.addresses.emplace_back();
      reader.read(element["type"], address.type);
      reader.read(element["address"], address.address);
    });
  });
}

Result<Namespace> decodeNamespace(const nlohmann::json& json) {
  return decodeObject<Namespace>(json, "Namespace", [](JsonReader&, const Field&, Namespace&) {});
}

}  // namespace ironlb::api
