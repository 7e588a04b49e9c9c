#pragma once
// AnyObject: one decoded object of any kind ironlb understands, chosen by its "kind" field.
// Used where kinds arrive mixed (a `kubectl get -o json` List, fuzzing, tools); informers that
// know their kind call the typed decoders directly.

#include <variant>

#include <nlohmann/json.hpp>

#include "common/api/endpoint_slice.h"
#include "common/api/metallb_types.h"
#include "common/api/node.h"
#include "common/api/service.h"
#include "common/util/result.h"

namespace ironlb::api {

using AnyObject = std::variant<IPAddressPool, L2Advertisement, ServiceL2Status, Service,
                               EndpointSlice, Node, Namespace>;

// Errors: not an object, no "kind", or a kind ironlb does not model (BGPPeer and friends
// included: callers that see mixed lists skip those).
Result<AnyObject> decodeAnyObject(const nlohmann::json& json);

}  // namespace ironlb::api
