#include "common/api/endpoint_slice_json.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

using nlohmann::json;

// As `kubectl get endpointslice -n default web-abcde -o json` prints it during a rollout.
constexpr const char* kSliceJson = R"({
    "addressType": "IPv4",
    "apiVersion": "discovery.k8s.io/v1",
    "endpoints": [
        {"addresses": ["10.244.1.5"], "conditions": {"ready": true, "serving": true,
         "terminating": false}, "nodeName": "worker-1",
         "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "default", "uid": "p1"},
         "zone": "a"},
        {"addresses": ["10.244.2.7"], "conditions": {"ready": false, "serving": true,
         "terminating": true}, "nodeName": "worker-2"},
        {"addresses": ["10.244.3.9"], "conditions": {"ready": false, "serving": false,
         "terminating": true}, "nodeName": "worker-3"},
        {"addresses": ["10.244.4.1"], "conditions": {}}
    ],
    "kind": "EndpointSlice",
    "metadata": {
        "generateName": "web-", "name": "web-abcde", "namespace": "default",
        "labels": {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                   "kubernetes.io/service-name": "web"},
        "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": "web", "uid": "s"}],
        "resourceVersion": "777"
    },
    "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}, {"name": "", "port": null}]
})";

TEST(EndpointSliceTest, DecodesKubectlOutput) {
  auto r = decodeEndpointSlice(json::parse(kSliceJson));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->serviceName(), "web");
  EXPECT_EQ(r->addressType, "IPv4");
  ASSERT_EQ(r->endpoints.size(), 4u);
  EXPECT_EQ(r->endpoints[0].nodeName, "worker-1");
  EXPECT_EQ(r->endpoints[1].conditions.serving, true);
  EXPECT_FALSE(r->endpoints[3].conditions.ready.has_value());
  EXPECT_FALSE(r->endpoints[3].nodeName.has_value());
  ASSERT_EQ(r->ports.size(), 2u);
  EXPECT_EQ(r->ports[0], (EndpointPort{"http", "TCP", 8080}));
  EXPECT_EQ(r->ports[1], (EndpointPort{"", "TCP", std::nullopt}));
}

TEST(EndpointSliceTest, ServingFollowsReferenceRule) {
  // docs/announcement.md: serving when ready is unset or true, or serving is true.
  const struct {
    std::optional<bool> ready;
    std::optional<bool> serving;
    bool expected;
  } cases[] = {
      {std::nullopt, std::nullopt, true},
      {true, std::nullopt, true},
      {false, std::nullopt, false},
      {false, true, true},
      {false, false, false},
      {true, false, true},
      {std::nullopt, false, true},
  };
  for (const auto& c : cases) {
    Endpoint e;
    e.conditions.ready = c.ready;
    e.conditions.serving = c.serving;
    EXPECT_EQ(e.isServing(), c.expected);
  }
}

TEST(EndpointSliceTest, EmptySliceAndErrors) {
  // The API server writes "endpoints": null for a Service without pods.
  auto empty = decodeEndpointSlice(json::parse(
      R"({"metadata": {"name": "s", "namespace": "d"}, "addressType": "IPv6",
          "endpoints": null, "ports": null})"));
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_TRUE(empty->endpoints.empty());
  EXPECT_EQ(empty->serviceName(), "");

  auto bad = decodeEndpointSlice(json::parse(
      R"({"metadata": {"name": "s", "namespace": "d"},
          "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": "true"}}, null]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "EndpointSlice d/s: endpoints[0].conditions.ready: expected a boolean, got \"true\"; "
            "endpoints[1]: expected an object, got null");
}

}  // namespace
}  // namespace ironlb::api
