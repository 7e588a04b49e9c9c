#include "common/api/service_json.h"

#include <gtest/gtest.h>

#include "test/support/api_encoders.h"

namespace ironlb::api {
namespace {

using nlohmann::json;

// As `kubectl get svc -n default web -o json` prints it on a dual-stack cluster.
constexpr const char* kServiceJson = R"({
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {
        "annotations": {"metallb.io/ip-allocated-from-pool": "first-pool",
                        "metallb.io/allow-shared-ip": "web"},
        "creationTimestamp": "2024-05-01T09:20:01Z",
        "labels": {"app": "web"},
        "name": "web",
        "namespace": "default",
        "resourceVersion": "50123",
        "uid": "a1b2c3d4-0000-4000-8000-000000000001"
    },
    "spec": {
        "allocateLoadBalancerNodePorts": true,
        "clusterIP": "10.96.12.34",
        "clusterIPs": ["10.96.12.34", "fd00:10:96::1234"],
        "externalTrafficPolicy": "Local",
        "healthCheckNodePort": 31234,
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4", "IPv6"],
        "ipFamilyPolicy": "PreferDualStack",
        "loadBalancerClass": "ironlb.io/l2",
        "ports": [
            {"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080},
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"port": 443, "targetPort": "https"}
        ],
        "selector": {"app": "web"},
        "sessionAffinity": "None",
        "type": "LoadBalancer"
    },
    "status": {
        "loadBalancer": {
            "ingress": [
                {"ip": "192.0.2.1", "ipMode": "VIP"},
                {"ip": "2001:db8::1", "ports": [{"port": 80, "protocol": "TCP"}]},
                {"hostname": "lb.example.com"}
            ]
        }
    }
})";

TEST(ServiceTest, DecodesKubectlOutput) {
  auto r = decodeService(json::parse(kServiceJson));
  ASSERT_TRUE(r.ok()) << r.error();
  const Service& s = *r;
  EXPECT_TRUE(s.isLoadBalancer());
  EXPECT_EQ(s.meta.annotations.at("metallb.io/allow-shared-ip"), "web");
  ASSERT_EQ(s.spec.ports.size(), 3u);
  EXPECT_EQ(s.spec.ports[0], (ServicePort{"http", "TCP", 80}));
  EXPECT_EQ(s.spec.ports[1], (ServicePort{"dns", "UDP", 53}));
  EXPECT_EQ(s.spec.ports[2], (ServicePort{"", "TCP", 443}));  // protocol defaults to TCP
  EXPECT_EQ(s.spec.loadBalancerClass, "ironlb.io/l2");
  EXPECT_EQ(s.spec.ipFamilies, (std::vector<net::Family>{net::Family::kV4, net::Family::kV6}));
  EXPECT_EQ(s.spec.ipFamilyPolicy, IpFamilyPolicy::kPreferDualStack);
  EXPECT_EQ(s.spec.clusterIp, "10.96.12.34");
  EXPECT_EQ(s.spec.clusterIps.size(), 2u);
  EXPECT_EQ(s.spec.externalTrafficPolicy, TrafficPolicy::kLocal);
  EXPECT_EQ(s.spec.selector, (StringMap{{"app", "web"}}));
  ASSERT_EQ(s.status.ingress.size(), 3u);
  EXPECT_EQ(s.status.ingress[0], (LoadBalancerIngress{"192.0.2.1", "", "VIP"}));
  EXPECT_EQ(s.status.ingress[1], (LoadBalancerIngress{"2001:db8::1", "", std::nullopt}));
  EXPECT_EQ(s.status.ingress[2].hostname, "lb.example.com");
}

TEST(ServiceTest, MinimalClusterIPServiceGetsDefaults) {
  auto r = decodeService(json::parse(R"({"metadata": {"name": "a", "namespace": "b"},
                                         "spec": {"ports": [{"port": 80}]}, "status": {}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE(r->isLoadBalancer());
  EXPECT_EQ(r->spec.type, "ClusterIP");
  EXPECT_EQ(r->spec.externalTrafficPolicy, TrafficPolicy::kCluster);
  EXPECT_FALSE(r->spec.ipFamilyPolicy.has_value());
  EXPECT_FALSE(r->spec.loadBalancerClass.has_value());
  EXPECT_TRUE(r->status.ingress.empty());
}

TEST(ServiceTest, BadValuesNameFieldAndValue) {
  const struct {
    const char* fragment;
    const char* error;
  } cases[] = {
      {R"("spec": {"ipFamilies": ["IPv5"]})",
       "spec.ipFamilies[0]: expected one of IPv4, IPv6, got \"IPv5\""},
      {R"("spec": {"ipFamilies": [null]})", "spec.ipFamilies[0]: expected a string, got null"},
      {R"("spec": {"ipFamilyPolicy": "DualStack"})",
       "spec.ipFamilyPolicy: expected one of SingleStack, PreferDualStack, RequireDualStack, got "
       "\"DualStack\""},
      {R"("spec": {"externalTrafficPolicy": 1})",
       "spec.externalTrafficPolicy: expected a string, got 1"},
      {R"("spec": {"ports": [{"port": 70000000000}]})",
       "spec.ports[0].port: integer 70000000000 is out of range -2147483648..2147483647"},
      {R"("spec": {"ports": [{"port": "80"}]})",
       "spec.ports[0].port: expected an integer, got \"80\""},
      {R"("spec": {"loadBalancerIP": ["192.0.2.1"]})",
       "spec.loadBalancerIP: expected a string, got a list [\"192.0.2.1\"]"},
      {R"("status": {"loadBalancer": {"ingress": [{"ip": 3232235777}]}})",
       "status.loadBalancer.ingress[0].ip: expected a string, got 3232235777"},
      {R"("status": {"loadBalancer": {"ingress": {"ip": "192.0.2.1"}}})",
       "status.loadBalancer.ingress: expected a list, got an object {\"ip\":\"192.0.2.1\"}"},
  };
  for (const auto& c : cases) {
    auto r = decodeService(json::parse(std::string(R"({"metadata": {"name": "web",
        "namespace": "default"}, )") + c.fragment +
                                       "}"));
    ASSERT_FALSE(r.ok()) << c.fragment;
    EXPECT_EQ(r.error(), std::string("Service default/web: ") + c.error);
  }
}

TEST(ServiceTest, StatusPatchRoundTrips) {
  const std::vector<LoadBalancerIngress> cases[] = {
      {},
      {{"192.0.2.1", "", std::nullopt}},
      {{"192.0.2.1", "", "VIP"}, {"2001:db8::1", "", std::nullopt}},
  };
  for (const auto& ingress : cases) {
    const json patch = encodeServiceStatusPatch(ingress, "50123");
    EXPECT_EQ(patch["metadata"]["resourceVersion"], "50123");
    // The list is always written, so a merge patch clears IPs that are gone.
    ASSERT_TRUE(patch["status"]["loadBalancer"]["ingress"].is_array());
    auto back = decodeService(patch);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->status.ingress, ingress);
  }
  EXPECT_EQ(encodeLoadBalancerIngress({{"192.0.2.1", "", std::nullopt}}).dump(),
            R"([{"ip":"192.0.2.1"}])");
  EXPECT_FALSE(encodeServiceStatusPatch({}, "").contains("metadata"));
}

TEST(ServiceTest, EnumNames) {
  EXPECT_EQ(ipFamilyPolicyName(IpFamilyPolicy::kRequireDualStack), "RequireDualStack");
  EXPECT_EQ(trafficPolicyName(TrafficPolicy::kLocal), "Local");
}

}  // namespace
}  // namespace ironlb::api
