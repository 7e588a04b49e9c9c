#include "common/api/any_object.h"

#include <string>

namespace ironlb::api {
namespace {

template <class T>
Result<AnyObject> wrap(Result<T> result) {
  if (!result) return Error{result.error()};
  return AnyObject(std::move(*result));
}

}  // namespace

Result<AnyObject> decodeAnyObject(const nlohmann::json& json) {
  if (!json.is_object()) return Error{"object: expected an object, got " + describeValue(json)};
  const auto it = json.find("kind");
  if (it == json.end() || !it->is_string()) {
    return Error{"object: kind: expected a string, got " +
                 (it == json.end() ? std::string("nothing") : describeValue(*it))};
  }
  const std::string& kind = it->get_ref<const std::string&>();
  if (kind == "IPAddressPool") return wrap(decodeIPAddressPool(json));
  if (kind == "L2Advertisement") return wrap(decodeL2Advertisement(json));
  if (kind == "ServiceL2Status") return wrap(decodeServiceL2Status(json));
  if (kind == "Service") return wrap(decodeService(json));
  if (kind == "EndpointSlice") return wrap(decodeEndpointSlice(json));
  if (kind == "Node") return wrap(decodeNode(json));
  if (kind == "Namespace") return wrap(decodeNamespace(json));
  return Error{"object: kind: unsupported kind " + describeString(kind)};
}

}  // namespace ironlb::api
