// showsDesired / applyDesired: what needs a write and what the write changes.
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
  const json ip_and_pool = serviceJson(json::array({{{"ip", "192.0.2.1"}, {"ipMode", "VIP"}}}),
                                       {{"metallb.io/ip-allocated-from-pool", "p"}, {"x", "y"}});
  EXPECT_TRUE(showsDesired(decoded(ip_and_pool), want({"192.0.2.1"}, "p")));
  EXPECT_FALSE(showsDesired(decoded(ip_and_pool), want({"192.0.2.2"}, "p")));
  EXPECT_FALSE(showsDesired(decoded(ip_and_pool), want({"192.0.2.1"}, "q")));
  EXPECT_FALSE(showsDesired(decoded(ip_and_pool), want({}, "")));
  EXPECT_TRUE(showsDesired(decoded(serviceJson(nullptr, nullptr)), want({}, "")));
  EXPECT_FALSE(
      showsDesired(decoded(serviceJson(json::array({{{"ip", "192.0.2.1"}}}),
                                       {{"metallb.io/ip-allocated-from-pool", "p"},
                                        {"metallb.universe.tf/ip-allocated-from-pool", "p"}})),
                   want({"192.0.2.1"}, "p")))
      << "the deprecated annotation must go";
  EXPECT_TRUE(showsDesired(decoded(serviceJson(json::array({{{"ip", "2001:DB8::1"}}}),
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
  EXPECT_TRUE(showsDesired(decoded(s), want({"192.0.2.9", "2001:db8::9"}, "q")));

  EXPECT_TRUE(applyDesired(s, want({}, "")));
  EXPECT_EQ(s["status"]["loadBalancer"]["ingress"], json::array());
  EXPECT_EQ(s["metadata"]["annotations"], (json{{"keep", "me"}}));

  json bare = serviceJson(nullptr, nullptr);
  EXPECT_FALSE(applyDesired(bare, want({}, "")));
  EXPECT_FALSE(bare["metadata"].contains("annotations")) << "no empty annotations left behind";
}

}  // namespace
}  // namespace ironlb::controller
