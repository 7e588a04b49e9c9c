#pragma once
// AnyObject: one decoded object of any kind ironlb understands, chosen by its "kind" field.
// Test-only: build_test and the lbconfig_json fuzz target feed mixed `kubectl get -o json`
// Lists through it (addToSnapshot); the daemons' informers know their kind and call the typed
// decoders.

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/api/endpoint_slice_json.h"
#include "common/api/metallb_types_json.h"
#include "common/api/node_json.h"
#include "common/api/service_json.h"
#include "common/lbconfig/config_object_json.h"
#include "common/util/result.h"

namespace ironlb::api {

using AnyObject =
    std::variant<IPAddressPool, L2Advertisement, ServiceL2Status, Service, EndpointSlice, Node,
                 Namespace, BGPPeer, BGPAdvertisement, BFDProfile, Community, ServiceBGPStatus>;

namespace any_object_detail {

template <class T>
Result<AnyObject> wrap(Result<T> result) {
  if (!result) return Error{result.error()};
  return AnyObject(std::move(*result));
}

}  // namespace any_object_detail

// Errors: not an object, no "kind", or a kind ironlb does not model (callers that see mixed
// lists skip those).
inline Result<AnyObject> decodeAnyObject(const nlohmann::json& json) {
  if (!json.is_object()) return Error{"object: expected an object, got " + describeValue(json)};
  const auto it = json.find("kind");
  if (it == json.end() || !it->is_string()) {
    return Error{"object: kind: expected a string, got " +
                 (it == json.end() ? std::string("nothing") : describeValue(*it))};
  }
  const std::string& kind = it->get_ref<const std::string&>();
  if (lbconfig::isConfigKind(kind)) {
    auto decoded = lbconfig::decodeConfigObject(kind, json);
    if (!decoded) return Error{decoded.error()};
    return std::visit([](auto& o) { return AnyObject(std::move(o)); }, *decoded);
  }
  if (kind == "ServiceL2Status") return any_object_detail::wrap(decodeServiceL2Status(json));
  if (kind == "Service") return any_object_detail::wrap(decodeService(json));
  if (kind == "EndpointSlice") return any_object_detail::wrap(decodeEndpointSlice(json));
  if (kind == "Node") return any_object_detail::wrap(decodeNode(json));
  if (kind == "Namespace") return any_object_detail::wrap(decodeNamespace(json));
  if (kind == "ServiceBGPStatus") return any_object_detail::wrap(decodeServiceBGPStatus(json));
  return Error{"object: kind: unsupported kind " + describeString(kind)};
}

// Adds a configuration object to `snapshot` (pools, advertisements, namespaces, nodes, the BGP
// kinds); false for the other kinds (Services, status objects), which it leaves alone.
inline bool addToSnapshot(lbconfig::Snapshot& snapshot, AnyObject object) {
  return std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_constructible_v<lbconfig::ConfigObject, T>) {
          lbconfig::putInto(snapshot, std::move(o));
        } else if constexpr (std::is_same_v<T, Namespace>) {
          snapshot.namespaces.push_back(std::move(o));
        } else if constexpr (std::is_same_v<T, Node>) {
          snapshot.nodes.push_back(std::move(o));
        } else {
          return false;
        }
        return true;
      },
      object);
}

}  // namespace ironlb::api
