#pragma once
// EndpointSlice (discovery.k8s.io/v1): which nodes host serving endpoints of a Service. The
// speaker uses it to decide whether anybody may announce an IP and, with
// externalTrafficPolicy: Local, which nodes may.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/api/object_meta.h"

namespace ironlb::api {

inline constexpr std::string_view kServiceNameLabel = "kubernetes.io/service-name";

// Unset conditions mean "unknown"; the API documents how to read each one.
struct EndpointConditions {
  std::optional<bool> ready;
  std::optional<bool> serving;
  std::optional<bool> terminating;

  friend bool operator==(const EndpointConditions&, const EndpointConditions&) = default;
};

struct Endpoint {
  std::vector<std::string> addresses;
  EndpointConditions conditions;
  std::optional<std::string> nodeName;

  // docs/announcement.md: an endpoint serves when `ready` is unset or true, or `serving` is true
  // (a terminating endpoint that still serves keeps its node eligible during a drain).
  bool isServing() const {
    return conditions.ready.value_or(true) || conditions.serving.value_or(false);
  }

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointPort {
  std::optional<std::string> name;
  std::string protocol = "TCP";
  std::optional<int32_t> port;

  friend bool operator==(const EndpointPort&, const EndpointPort&) = default;
};

struct EndpointSlice {
  ObjectMeta meta;
  std::string addressType;  // "IPv4", "IPv6" or "FQDN"
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;

  // The owning Service (label kubernetes.io/service-name), "" when the label is missing.
  std::string serviceName() const;

  friend bool operator==(const EndpointSlice&, const EndpointSlice&) = default;
};

}  // namespace ironlb::api
