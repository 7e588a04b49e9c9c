#include "speaker/control/service_input.h"

#include <gtest/gtest.h>

namespace ironlb::control {
namespace {

api::Service service(std::vector<std::string> ips, std::optional<std::string> cls = std::nullopt) {
  api::Service s;
  s.meta.ns = "ns";
  s.meta.name = "web";
  s.meta.labels = {{"app", "web"}};
  s.spec.type = "LoadBalancer";
  s.spec.loadBalancerClass = std::move(cls);
  for (auto& i : ips)
    s.status.ingress.push_back({i, "", std::nullopt});
  return s;
}

api::Endpoint endpoint(std::optional<bool> ready, std::optional<bool> serving,
                       std::optional<std::string> node) {
  api::Endpoint e;
  e.conditions.ready = ready;
  e.conditions.serving = serving;
  e.nodeName = std::move(node);
  return e;
}

TEST(ServiceInput, SummarizeServingEndpointsPerReference) {
  api::EndpointSlice slice;
  slice.endpoints = {endpoint(std::nullopt, std::nullopt, "n1"),   // ready unset: serving
                     endpoint(false, true, "n2"),                  // terminating but serving
                     endpoint(false, false, "n3"),                 // not serving
                     endpoint(true, std::nullopt, "n1"),           // duplicate node
                     endpoint(true, std::nullopt, std::nullopt)};  // no node name
  const SliceSummary s = summarize(slice);
  EXPECT_TRUE(s.serving);
  EXPECT_EQ(s.servingNodes, (std::vector<std::string>{"n1", "n2"}));
  api::EndpointSlice dead;
  dead.endpoints = {endpoint(false, false, "n1")};
  EXPECT_EQ(summarize(dead), SliceSummary{});
}

TEST(ServiceInput, Conversion) {
  const SliceSummary slices[] = {{true, {"n2"}}, {false, {}}, {true, {"n1", "n2"}}};
  auto svc = service({"192.0.2.1", "2001:DB8::0001", "192.0.2.1", "bogus"});
  svc.spec.externalTrafficPolicy = api::TrafficPolicy::kLocal;
  const auto r = toServiceInput(svc, slices, "");
  ASSERT_TRUE(r.input.has_value());
  EXPECT_EQ(r.input->key, "ns/web");
  EXPECT_EQ(r.input->labels.at("app"), "web");
  ASSERT_EQ(r.input->ips.size(), 2u);  // canonical, deduplicated, in order
  EXPECT_EQ(r.input->ips[1].toString(), "2001:db8::1");
  EXPECT_TRUE(r.input->local);
  EXPECT_TRUE(r.input->serving);
  EXPECT_EQ(r.input->servingNodes, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(r.invalidIps, std::vector<std::string>{"bogus"});
}

TEST(ServiceInput, WhatTheSpeakerHandles) {
  const struct {
    const char* name;
    api::Service svc;
    std::string configured;
    bool handled;
  } cases[] = {
      {"plain LoadBalancer", service({"192.0.2.1"}), "", true},
      {"another class", service({"192.0.2.1"}, "other"), "", false},
      {"our class", service({"192.0.2.1"}, "ours"), "ours", true},
      {"no class when one is configured", service({"192.0.2.1"}), "ours", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(handles(c.svc, c.configured), c.handled);
    EXPECT_EQ(toServiceInput(c.svc, {}, c.configured).input.has_value(), c.handled);
  }
  auto clusterIp = service({"192.0.2.1"});
  clusterIp.spec.type = "ClusterIP";
  EXPECT_FALSE(handles(clusterIp, ""));
  auto deleting = service({"192.0.2.1"});
  deleting.meta.deletionTimestamp = "2024-01-01T00:00:00Z";
  EXPECT_FALSE(handles(deleting, ""));
  EXPECT_FALSE(toServiceInput(service({}), {}, "").input.has_value());  // no IP yet
}

}  // namespace
}  // namespace ironlb::control
