#pragma once
// Node's and Namespace's JSON mapping (node.h).

#include <nlohmann/json.hpp>

#include "common/api/node.h"
#include "common/api/object_meta_json.h"
#include "common/util/result.h"

namespace ironlb::api {

Result<Node> decodeNode(const nlohmann::json& json);
Result<Namespace> decodeNamespace(const nlohmann::json& json);

}  // namespace ironlb::api
