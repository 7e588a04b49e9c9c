#pragma once
// Service (core/v1): the fields ironlb's controller and speaker read, and the status it
// writes (status.loadBalancer.ingress). Text that users control and that the controller must
// report on (loadBalancerIP, ingress IPs) stays text here; the consumer parses it and turns a
// bad value into an event instead of failing the whole object. JSON mapping: service_json.h.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/api/object_meta.h"
#include "common/net/ip_address.h"

namespace ironlb::api {

inline constexpr std::string_view kServiceTypeLoadBalancer = "LoadBalancer";

struct ServicePort {
  std::string name;
  std::string protocol = "TCP";  // API default
  int32_t port = 0;

  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};

enum class IpFamilyPolicy { kSingleStack, kPreferDualStack, kRequireDualStack };
enum class TrafficPolicy { kCluster, kLocal };

// The API's spelling of each value: the decoder accepts exactly these.
inline constexpr std::array<std::pair<std::string_view, IpFamilyPolicy>, 3> kIpFamilyPolicyNames = {
    {
        {"SingleStack", IpFamilyPolicy::kSingleStack},
        {"PreferDualStack", IpFamilyPolicy::kPreferDualStack},
        {"RequireDualStack", IpFamilyPolicy::kRequireDualStack},
    }};
inline constexpr std::array<std::pair<std::string_view, TrafficPolicy>, 2> kTrafficPolicyNames = {{
    {"Cluster", TrafficPolicy::kCluster},
    {"Local", TrafficPolicy::kLocal},
}};

struct ServiceSpec {
  std::string type = "ClusterIP";  // API default
  std::vector<ServicePort> ports;
  std::string loadBalancerIp;  // deprecated upstream field; "" when unset
  std::optional<std::string> loadBalancerClass;
  std::vector<net::Family> ipFamilies;  // primary family first
  std::optional<IpFamilyPolicy> ipFamilyPolicy;
  std::string clusterIp;
  std::vector<std::string> clusterIps;  // may hold "None" for headless Services
  TrafficPolicy externalTrafficPolicy = TrafficPolicy::kCluster;
  StringMap selector;

  friend bool operator==(const ServiceSpec&, const ServiceSpec&) = default;
};

struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
  std::optional<std::string> ipMode;  // "VIP" or "Proxy" (Kubernetes 1.30+)

  friend bool operator==(const LoadBalancerIngress&, const LoadBalancerIngress&) = default;
};

struct ServiceStatus {
  std::vector<LoadBalancerIngress> ingress;

  friend bool operator==(const ServiceStatus&, const ServiceStatus&) = default;
};

struct Service {
  ObjectMeta meta;
  ServiceSpec spec;
  ServiceStatus status;

  bool isLoadBalancer() const { return spec.type == kServiceTypeLoadBalancer; }

  friend bool operator==(const Service&, const Service&) = default;
};

std::string_view ipFamilyPolicyName(IpFamilyPolicy policy);
std::string_view trafficPolicyName(TrafficPolicy policy);

}  // namespace ironlb::api
