#include "common/api/node.h"

#include <algorithm>

namespace ironlb::api {

bool Node::networkUnavailable() const {
  return std::any_of(conditions.begin(), conditions.end(), [](const NodeCondition& c) {
    return c.type == "NetworkUnavailable" && c.status == "True";
  });
}

}  // namespace ironlb::api
