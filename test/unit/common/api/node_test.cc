#include "common/api/node_json.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

using nlohmann::json;

std::string nodeJson(const std::string& conditions) {
  return R"({"apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "worker-1", "labels": {"kubernetes.io/hostname": "worker-1",
                 "node.kubernetes.io/exclude-from-external-load-balancers": ""}},
    "spec": {"podCIDR": "10.244.1.0/24", "taints": [{"effect": "NoSchedule", "key": "k"}]},
    "status": {"addresses": [{"address": "172.18.0.3", "type": "InternalIP"}],
               "capacity": {"cpu": "2"}, "conditions": )" +
         conditions + "}}";
}

TEST(NodeTest, NetworkUnavailableOnlyWhenStatusTrue) {
  const struct {
    std::string conditions;
    bool unavailable;
  } cases[] = {
      {R"([{"type": "Ready", "status": "True", "reason": "KubeletReady"}])", false},
      {R"([{"type": "NetworkUnavailable", "status": "True", "reason": "NoRouteCreated"}])", true},
      {R"([{"type": "NetworkUnavailable", "status": "False", "reason": "RouteCreated"}])", false},
      {R"([{"type": "NetworkUnavailable", "status": "Unknown"}])", false},
      {"null", false},
  };
  for (const auto& c : cases) {
    auto r = decodeNode(json::parse(nodeJson(c.conditions)));
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->networkUnavailable(), c.unavailable) << c.conditions;
    EXPECT_EQ(r->meta.name, "worker-1");
    EXPECT_TRUE(r->meta.ns.empty());
    EXPECT_EQ(r->meta.labels.count("node.kubernetes.io/exclude-from-external-load-balancers"), 1u);
  }
}

TEST(NodeTest, ErrorsNameTheNode) {
  auto r = decodeNode(json::parse(nodeJson(R"([{"type": "Ready", "status": true}])")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Node worker-1: status.conditions[0].status: expected a string, got true");
}

TEST(NodeTest, DecodesAddresses) {
  auto r = decodeNode(json::parse(R"({"kind": "Node", "metadata": {"name": "n"},
    "status": {"addresses": [{"type": "InternalIP", "address": "192.0.2.1"},
                             {"type": "InternalIP", "address": "2001:db8::1"},
                             {"type": "Hostname", "address": "n"}]}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->addresses,
            (std::vector<NodeAddress>{
                {"InternalIP", "192.0.2.1"}, {"InternalIP", "2001:db8::1"}, {"Hostname", "n"}}));
  auto bad = decodeNode(json::parse(R"({"kind": "Node", "metadata": {"name": "n"},
    "status": {"addresses": [{"type": "InternalIP", "address": 7}]}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "Node n: status.addresses[0].address: expected a string, got 7");
}

TEST(NamespaceTest, DecodesLabels) {
  auto r = decodeNamespace(json::parse(R"({"apiVersion": "v1", "kind": "Namespace",
    "metadata": {"name": "team-a", "labels": {"kubernetes.io/metadata.name": "team-a",
                 "tier": "gold"}}, "spec": {"finalizers": ["kubernetes"]},
    "status": {"phase": "Active"}})"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->meta.labels.at("tier"), "gold");
  auto bad = decodeNamespace(json::parse(R"({"kind": "Namespace", "metadata": {"name": ["x"]}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "Namespace: metadata.name: expected a string, got a list [\"x\"]");
}

}  // namespace
}  // namespace ironlb::api
