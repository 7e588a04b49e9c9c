#include "common/api/endpoint_slice.h"

namespace ironlb::api {

std::string EndpointSlice::serviceName() const {
  const auto it = meta.labels.find(kServiceNameLabel);
  return it == meta.labels.end() ? std::string() : it->second;
}

}  // namespace ironlb::api
