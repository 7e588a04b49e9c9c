#include "common/api/metallb_types_json.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

using nlohmann::json;

// As `kubectl get ipaddresspool -n metallb-system first-pool -o json` prints it (MetalLB 0.14).
constexpr const char* kPoolJson = R"({
    "apiVersion": "metallb.io/v1beta1",
    "kind": "IPAddressPool",
    "metadata": {
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"metallb.io/v1beta1\"}\n"
        },
        "creationTimestamp": "2024-05-01T09:12:44Z",
        "generation": 2,
        "labels": {"env": "prod"},
        "name": "first-pool",
        "namespace": "metallb-system",
        "resourceVersion": "48211",
        "uid": "0d6c1e4a-6f77-4a3e-b0a5-a0bfb2c9e7f1"
    },
    "spec": {
        "addresses": ["192.0.2.0/28", "198.51.100.10-198.51.100.20", "2001:db8::/120"],
        "autoAssign": false,
        "avoidBuggyIPs": true,
        "serviceAllocation": {
            "priority": 50,
            "namespaces": ["team-a", "team-b"],
            "namespaceSelectors": [{"matchLabels": {"foo": "bar"}}],
            "serviceSelectors": [{"matchExpressions": [
                {"key": "app", "operator": "In", "values": ["web"]}]}]
        }
    },
    "status": {
        "assignedIPv4": 2, "assignedIPv6": 0, "availableIPv4": 25,
        "availableIPv6": 256
    }
})";

TEST(IPAddressPoolTest, DecodesKubectlOutput) {
  auto r = decodeIPAddressPool(json::parse(kPoolJson));
  ASSERT_TRUE(r.ok()) << r.error();
  const IPAddressPool& p = *r;
  EXPECT_EQ(p.meta.name, "first-pool");
  EXPECT_EQ(p.meta.ns, "metallb-system");
  EXPECT_EQ(p.meta.labels.at("env"), "prod");
  EXPECT_EQ(
      p.spec.addresses,
      (std::vector<std::string>{"192.0.2.0/28", "198.51.100.10-198.51.100.20", "2001:db8::/120"}));
  EXPECT_FALSE(p.spec.autoAssign);
  EXPECT_TRUE(p.spec.avoidBuggyIps);
  ASSERT_TRUE(p.spec.serviceAllocation.has_value());
  EXPECT_EQ(p.spec.serviceAllocation->priority, 50);
  EXPECT_EQ(p.spec.serviceAllocation->namespaces, (std::vector<std::string>{"team-a", "team-b"}));
  ASSERT_EQ(p.spec.serviceAllocation->namespaceSelectors.size(), 1u);
  ASSERT_EQ(p.spec.serviceAllocation->serviceSelectors.size(), 1u);
  EXPECT_EQ(p.status.assignedIpv4, 2);
  EXPECT_EQ(p.status.availableIpv6, 256);
}

TEST(IPAddressPoolTest, DefaultsWhenOptionalFieldsAreAbsentOrNull) {
  auto r = decodeIPAddressPool(json::parse(R"({
    "metadata": {"name": "p", "namespace": "metallb-system"},
    "spec": {"addresses": ["192.0.2.0/28"], "autoAssign": null, "serviceAllocation": null}
  })"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->spec.autoAssign);  // CRD default
  EXPECT_FALSE(r->spec.avoidBuggyIps);
  EXPECT_FALSE(r->spec.serviceAllocation.has_value());

  // An empty serviceAllocation is present (it matters: it admits every Service).
  auto e = decodeIPAddressPool(json::parse(R"({"spec": {"serviceAllocation": {}}})"));
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_TRUE(e->spec.serviceAllocation.has_value());

  // No spec at all decodes (lbconfig reports the missing addresses with the pool's name).
  auto none = decodeIPAddressPool(json::parse(R"({"metadata": {"name": "p"}, "spec": null})"));
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->spec.addresses.empty());
}

TEST(IPAddressPoolTest, ErrorsNameObjectFieldAndValue) {
  const std::string meta = R"("metadata": {"name": "first-pool", "namespace": "metallb-system"})";
  const struct {
    std::string spec;
    std::string error;
  } cases[] = {
      {R"({"addresses": ["192.0.2.0/28"], "autoAssign": "yes"})",
       "IPAddressPool metallb-system/first-pool: spec.autoAssign: expected a boolean, got \"yes\""},
      {R"({"addresses": "192.0.2.0/28"})",
       "IPAddressPool metallb-system/first-pool: spec.addresses: expected a list, got "
       "\"192.0.2.0/28\""},
      {R"({"addresses": ["192.0.2.0/28", 5]})",
       "IPAddressPool metallb-system/first-pool: spec.addresses[1]: expected a string, got 5"},
      {R"({"avoidBuggyIPs": 1})",
       "IPAddressPool metallb-system/first-pool: spec.avoidBuggyIPs: expected a boolean, got 1"},
      {R"({"serviceAllocation": {"priority": 99999999999}})",
       "IPAddressPool metallb-system/first-pool: spec.serviceAllocation.priority: integer "
       "99999999999 is out of range -2147483648..2147483647"},
      {R"({"serviceAllocation": {"priority": "high"}})",
       "IPAddressPool metallb-system/first-pool: spec.serviceAllocation.priority: expected an "
       "integer, got \"high\""},
      {R"({"serviceAllocation": []})",
       "IPAddressPool metallb-system/first-pool: spec.serviceAllocation: expected an object, got "
       "a list []"},
      {R"({"serviceAllocation": {"serviceSelectors": [null]}})",
       "IPAddressPool metallb-system/first-pool: spec.serviceAllocation.serviceSelectors[0]: "
       "expected an object, got null"},
      {R"("192.0.2.0/28")",
       "IPAddressPool metallb-system/first-pool: spec: expected an object, got \"192.0.2.0/28\""},
  };
  for (const auto& c : cases) {
    auto r = decodeIPAddressPool(json::parse("{" + meta + R"(, "spec": )" + c.spec + "}"));
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_EQ(r.error(), c.error);
  }
}

TEST(IPAddressPoolTest, StatusEncodingRoundTrips) {
  const IPAddressPoolStatus status{3, 1, 250, INT64_MAX, {}};
  const json body = encodeIPAddressPoolStatusPatch(status, "48211");
  EXPECT_EQ(body["metadata"]["resourceVersion"], "48211");
  EXPECT_EQ(body["status"]["availableIPv6"], INT64_MAX);
  auto back = decodeIPAddressPool(body);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->status, status);
  EXPECT_FALSE(encodeIPAddressPoolStatusPatch(status, "").contains("metadata"));
  // Zero counters are still written: the CRD marks them required.
  EXPECT_EQ(encodeIPAddressPoolStatus({}).size(), 4u);
}

TEST(IPAddressPoolTest, DeletionBlockedByIsWrittenAndClearedThroughTheMergePatch) {
  // docs/allocation.md: a deleting pool in use names the Services keeping it.
  const IPAddressPoolStatus blocked{1, 0, 3, 0, {"web/a", "web/b"}};
  const json body = encodeIPAddressPoolStatusPatch(blocked, "");
  EXPECT_EQ(body["status"]["deletionBlockedBy"], json({"web/a", "web/b"}));
  auto back = decodeIPAddressPool(body);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->status, blocked);
  const json cleared = encodeIPAddressPoolStatusPatch({1, 0, 3, 0, {}}, "");
  ASSERT_TRUE(cleared["status"].contains("deletionBlockedBy"));
  EXPECT_TRUE(cleared["status"]["deletionBlockedBy"].is_null()) << "merge patch: removes it";
}

TEST(L2AdvertisementTest, DecodesKubectlOutput) {
  auto r = decodeL2Advertisement(json::parse(R"({
    "apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
    "metadata": {"name": "l2", "namespace": "metallb-system", "uid": "u1",
                 "resourceVersion": "7", "generation": 1,
                 "creationTimestamp": "2024-05-01T09:12:44Z"},
    "spec": {
      "ipAddressPools": ["first-pool"],
      "ipAddressPoolSelectors": [{"matchLabels": {"env": "prod"}}],
      "nodeSelectors": [{"matchLabels": {"kubernetes.io/hostname": "worker-1"}}],
      "interfaces": ["eth0", "bond0.100"],
      "serviceSelectors": [{"matchExpressions": [{"key": "expose", "operator": "Exists"}]}],
      "nodeSelectorsPreferred": "a field from a future version"
    }
  })"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->spec.ipAddressPools, std::vector<std::string>{"first-pool"});
  EXPECT_EQ(r->spec.ipAddressPoolSelectors.size(), 1u);
  EXPECT_EQ(r->spec.nodeSelectors[0].matchLabels.at("kubernetes.io/hostname"), "worker-1");
  EXPECT_EQ(r->spec.interfaces, (std::vector<std::string>{"eth0", "bond0.100"}));
  EXPECT_EQ(r->spec.serviceSelectors[0].matchExpressions[0].op, "Exists");

  auto empty = decodeL2Advertisement(json::parse(R"({"metadata": {"name": "all"}, "spec": {}})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->spec, L2AdvertisementSpec{});

  auto bad = decodeL2Advertisement(json::parse(
      R"({"metadata": {"name": "l2", "namespace": "metallb-system"},
          "spec": {"interfaces": "eth0", "nodeSelectors": [{"matchLabels": null}, 3]}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "L2Advertisement metallb-system/l2: spec.nodeSelectors[1]: expected an object, got 3; "
            "spec.interfaces: expected a list, got \"eth0\"");
}

TEST(ServiceL2StatusTest, EncodeDecodeRoundTrip) {
  ServiceL2Status s;
  s.meta.generateName = "l2-";
  s.meta.ns = "metallb-system";
  s.meta.labels = {{"metallb.io/node", "worker-1"},
                   {"metallb.io/service-name", "web"},
                   {"metallb.io/service-namespace", "default"}};
  s.status.node = "worker-1";
  s.status.serviceName = "web";
  s.status.serviceNamespace = "default";
  s.status.interfaces = {"eth0", "eth1"};
  const json encoded = encodeServiceL2Status(s);
  EXPECT_EQ(encoded["apiVersion"], "metallb.io/v1beta1");
  EXPECT_EQ(encoded["kind"], "ServiceL2Status");
  EXPECT_EQ(encoded["metadata"]["generateName"], "l2-");
  EXPECT_EQ(encoded["status"]["interfaces"][1]["name"], "eth1");
  EXPECT_EQ(encoded["spec"], json::object());
  auto back = decodeServiceL2Status(encoded);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);

  // Re-encoding a decoded object gives the same JSON (idempotent writes compare equal).
  EXPECT_EQ(encodeServiceL2Status(*back), encoded);
}

TEST(ServiceBGPStatusTest, EncodeDecodeRoundTripAndBadPeers) {
  ServiceBGPStatus s;
  s.meta.generateName = "bgp-";
  s.meta.ns = "metallb-system";
  s.meta.labels = {{"metallb.io/node", "worker-1"}};
  s.status.node = "worker-1";
  s.status.serviceName = "web";
  s.status.serviceNamespace = "default";
  s.status.peers = {"tor-a", "tor-b"};
  const json encoded = encodeServiceBGPStatus(s);
  EXPECT_EQ(encoded["kind"], "ServiceBGPStatus");
  EXPECT_EQ(encoded["status"]["peers"], json::parse(R"(["tor-a","tor-b"])"));
  auto back = decodeServiceBGPStatus(encoded);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(encodeServiceBGPStatus(*back), encoded);

  json bad = encoded;
  bad["status"]["peers"] = "tor-a";
  auto refused = decodeServiceBGPStatus(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("status.peers"), std::string::npos) << refused.error();
}

TEST(ServiceL2StatusTest, DecodesServerOutputAndRejectsBadInterfaces) {
  auto r = decodeServiceL2Status(json::parse(R"({
    "apiVersion": "metallb.io/v1beta1", "kind": "ServiceL2Status",
    "metadata": {"generateName": "l2-", "name": "l2-x7k2p", "namespace": "metallb-system",
                 "labels": {"metallb.io/node": "kind-worker"},
                 "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "speaker-abc",
                                      "uid": "u"}]},
    "spec": {},
    "status": {"interfaces": [{"name": "eth0"}], "node": "kind-worker", "serviceName": "web",
               "serviceNamespace": "default"}
  })"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->meta.name, "l2-x7k2p");
  EXPECT_EQ(r->status.interfaces, std::vector<std::string>{"eth0"});

  auto bad = decodeServiceL2Status(json::parse(
      R"({"metadata": {"name": "l2-1", "namespace": "metallb-system"},
          "status": {"interfaces": ["eth0"]}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(),
            "ServiceL2Status metallb-system/l2-1: status.interfaces[0]: expected an "
            "object, got \"eth0\"");
}

}  // namespace
}  // namespace ironlb::api
