// statusMatchesDesired / applyDesired: what needs a write and what the write changes.
#include "controller/daemon/service_status.h"

#include <gtest/gtest.h>

namespace ironlb::controller {
namespace {

using nlohmann::json;

reconciler::DesiredStatus want(std::vector<std::string> ips, std::string pool) {
  reconciler::DesiredStatus d;
  for (const auto& t : ips)
    d.ips.push_back(*net::IpAddress::parse(t));
  d.pool = std::move(pool);
  return d;
}

json serviceJson(json ingress, json annotations) {
  json s = {{"metadata", {{"name", "s"}, {"namespace", "n"}, {"resourceVersion", "7"}}},
            {"spec", {{"type", "LoadBalancer"}}}};
  if (!annotations.is_null()) s["metadata"]["annotations"] = annotations;
  if (!ingress.is_null()) s["status"] = {{"loadBalancer", {{"ingress", ingress}}}};
  return s;
}

api::Service decoded(const json& j) {
  return *api::decodeService(j);
}

TEST(ServiceStatusTest, ShowsDesired) {
  const json ipAndPool = serviceJson(json::array({{{"ip", "192.0.2.1"}, {"ipMode", "VIP"}}}),
                                     {{"metallb.io/ip-allocated-from-pool", "p"}, {"x", "y"}});
  EXPECT_TRUE(statusMatchesDesired(decoded(ipAndPool), want({"192.0.2.1"}, "p")));
  EXPECT_FALSE(statusMatchesDesired(decoded(ipAndPool), want({"192.0.2.2"}, "p")));
  EXPECT_FALSE(statusMatchesDesired(decoded(ipAndPool), want({"192.0.2.1"}, "q")));
  EXPECT_FALSE(statusMatchesDesired(decoded(ipAndPool), want({}, "")));
  EXPECT_TRUE(statusMatchesDesired(decoded(serviceJson(nullptr, nullptr)), want({}, "")));
  EXPECT_FALSE(statusMatchesDesired(
      decoded(serviceJson(json::array({{{"ip", "192.0.2.1"}}}),
                          {{"metallb.io/ip-allocated-from-pool", "p"},
                           {"metallb.universe.tf/ip-allocated-from-pool", "p"}})),
      want({"192.0.2.1"}, "p")))
      << "the deprecated annotation must go";
  EXPECT_TRUE(
      statusMatchesDesired(decoded(serviceJson(json::array({{{"ip", "2001:DB8::1"}}}),
                                               {{"metallb.io/ip-allocated-from-pool", "p"}})),
                           want({"2001:db8::1"}, "p")))
      << "compared as addresses, not text";
}

TEST(ServiceStatusTest, ApplyDesiredKeepsServerFieldsAndOtherAnnotations) {
  json s = serviceJson(json::array({{{"ip", "192.0.2.1"}, {"ipMode", "VIP"}}}),
                       {{"keep", "me"}, {"metallb.universe.tf/ip-allocated-from-pool", "old"}});
  EXPECT_TRUE(applyDesired(s, want({"192.0.2.1"}, "p")));
  EXPECT_EQ(s["status"]["loadBalancer"]["ingress"][0]["ipMode"], "VIP") << "IPs unchanged";
  EXPECT_EQ(s["metadata"]["annotations"],
            (json{{"keep", "me"}, {"metallb.io/ip-allocated-from-pool", "p"}}));
  EXPECT_FALSE(applyDesired(s, want({"192.0.2.1"}, "p"))) << "nothing left to change";
  EXPECT_EQ(s["metadata"]["resourceVersion"], "7");

  EXPECT_TRUE(applyDesired(s, want({"192.0.2.9", "2001:db8::9"}, "q")));
  EXPECT_EQ(s["status"]["loadBalancer"]["ingress"],
            (json::array({{{"ip", "192.0.2.9"}}, {{"ip", "2001:db8::9"}}})));
  EXPECT_TRUE(statusMatchesDesired(decoded(s), want({"192.0.2.9", "2001:db8::9"}, "q")));

  EXPECT_TRUE(applyDesired(s, want({}, "")));
  EXPECT_EQ(s["status"]["loadBalancer"]["ingress"], json::array());
  EXPECT_EQ(s["metadata"]["annotations"], (json{{"keep", "me"}}));

  json bare = serviceJson(nullptr, nullptr);
  EXPECT_FALSE(applyDesired(bare, want({}, "")));
  EXPECT_FALSE(bare["metadata"].contains("annotations")) << "no empty annotations left behind";
}

TEST(ServiceStatusTest, ShowDesiredOnDecodedService) {
  api::Service s = decoded(serviceJson(json::array({{{"ip", "192.0.2.1"}}}),
                                       {{"metallb.universe.tf/ip-allocated-from-pool", "p"}}));
  applyDesiredToDecoded(s, want({"192.0.2.2"}, "q"));
  EXPECT_TRUE(statusMatchesDesired(s, want({"192.0.2.2"}, "q")));
  applyDesiredToDecoded(s, want({}, ""));
  EXPECT_TRUE(s.status.ingress.empty());
  EXPECT_TRUE(s.meta.annotations.empty());
}

TEST(ServiceStatusTest, OnlyStatusChanged) {
  const json before = serviceJson(nullptr, {{"user", "x"}});
  json echo = serviceJson(json::array({{{"ip", "192.0.2.1"}}}),
                          {{"user", "x"}, {"metallb.io/ip-allocated-from-pool", "p"}});
  echo["metadata"]["resourceVersion"] = "8";
  echo["metadata"]["managedFields"] = json::array({json::object()});
  EXPECT_TRUE(onlyStatusChanged(before, echo)) << "our own write's echo";
  json specChange = before;
  specChange["spec"]["type"] = "ClusterIP";
  EXPECT_FALSE(onlyStatusChanged(before, specChange));
  json labelChange = before;
  labelChange["metadata"]["labels"] = {{"app", "x"}};
  EXPECT_FALSE(onlyStatusChanged(before, labelChange));
  json annotationChange = before;
  annotationChange["metadata"]["annotations"]["metallb.io/address-pool"] = "q";
  EXPECT_FALSE(onlyStatusChanged(before, annotationChange));
  json deleting = before;
  deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  EXPECT_FALSE(onlyStatusChanged(before, deleting));
}

TEST(ServiceStatusTest, JsonShowsDesiredAgreesWithTheDecodedCheck) {
  const json cases[] = {
      serviceJson(nullptr, nullptr),
      serviceJson(json::array({{{"ip", "192.0.2.1"}, {"ipMode", "VIP"}}}),
                  {{"metallb.io/ip-allocated-from-pool", "p"}}),
      serviceJson(json::array({{{"ip", "192.0.2.1"}}}), {{"x", "y"}}),
      serviceJson(json::array({{{"ip", "192.0.2.1"}}, {{"ip", "2001:db8::1"}}}),
                  {{"metallb.io/ip-allocated-from-pool", "p"}}),
      serviceJson(json::array({{{"ip", "192.0.2.1"}}}),
                  {{"metallb.io/ip-allocated-from-pool", "p"},
                   {"metallb.universe.tf/ip-allocated-from-pool", "p"}}),
  };
  const reconciler::DesiredStatus wants[] = {want({}, ""), want({"192.0.2.1"}, "p"),
                                             want({"192.0.2.1", "2001:db8::1"}, "p")};
  for (const json& c : cases) {
    for (const auto& w : wants) {
      EXPECT_EQ(jsonStatusMatchesDesired(c, w), statusMatchesDesired(decoded(c), w)) << c.dump();
    }
  }
}

TEST(ServiceStatusTest, PlainlyNotOursAndSlimming) {
  json lb = serviceJson(nullptr, {{"user", "x"}});
  lb["metadata"]["labels"] = {{"app", "a"}};
  lb["metadata"]["managedFields"] = json::array({json::object()});
  lb["spec"]["ports"] = json::array({{{"port", 80}}});
  json other = lb;
  other["spec"]["loadBalancerClass"] = "example.com/other";
  json clusterIp = lb;
  clusterIp["spec"]["type"] = "ClusterIP";
  json annotated = clusterIp;
  annotated["metadata"]["annotations"]["metallb.io/ip-allocated-from-pool"] = "p";

  EXPECT_FALSE(plainlyNotOurs(lb, ""));
  EXPECT_TRUE(plainlyNotOurs(lb, "x")) << "class-less, class x configured";
  EXPECT_TRUE(plainlyNotOurs(other, ""));
  EXPECT_TRUE(plainlyNotOurs(other, "x"));
  EXPECT_FALSE(plainlyNotOurs(other, "example.com/other"));
  EXPECT_TRUE(plainlyNotOurs(clusterIp, ""));
  EXPECT_FALSE(plainlyNotOurs(annotated, "")) << "ours to clean up";

  json ours = lb;
  slimService(ours, "");
  EXPECT_FALSE(ours["metadata"].contains("managedFields"));
  EXPECT_EQ(ours["metadata"]["labels"], lb["metadata"]["labels"]) << "ours stay whole";
  EXPECT_EQ(ours["spec"], lb["spec"]);

  json slim = other;
  slimService(slim, "");
  EXPECT_EQ(
      slim,
      (json{{"metadata", {{"name", "s"}, {"namespace", "n"}, {"resourceVersion", "7"}}},
            {"spec", {{"type", "LoadBalancer"}, {"loadBalancerClass", "example.com/other"}}}}));
  EXPECT_TRUE(plainlyNotOurs(slim, "")) << "a slimmed Service stays not ours";
  auto d = api::decodeService(slim);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->meta.name, "s");
}

}  // namespace
}  // namespace ironlb::controller
