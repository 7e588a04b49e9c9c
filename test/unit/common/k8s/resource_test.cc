#include "common/k8s/resource.h"

#include <gtest/gtest.h>

namespace ironlb::k8s {
namespace {

TEST(ResourceTest, Paths) {
  struct Case {
    const ResourceType* type;
    const char* ns;
    const char* name;
    const char* sub;
    const char* expected;
  };
  const Case cases[] = {
      {&resources::kServices, "default", "", "", "/api/v1/namespaces/default/services"},
      {&resources::kServices, "", "", "", "/api/v1/services"},
      {&resources::kServices, "a", "web", "status", "/api/v1/namespaces/a/services/web/status"},
      {&resources::kNodes, "ignored", "n1", "", "/api/v1/nodes/n1"},
      {&resources::kLeases, "kube-system", "ctl", "",
       "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/ctl"},
      {&resources::kIPAddressPools, "metallb-system", "p", "status",
       "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/p/status"},
      {&resources::kEndpointSlices, "", "", "", "/apis/discovery.k8s.io/v1/endpointslices"},
  };
  for (const auto& c : cases) {
    const std::string got = std::string(c.name).empty() ? collectionPath(*c.type, c.ns)
                                                        : objectPath(*c.type, c.ns, c.name, c.sub);
    EXPECT_EQ(got, c.expected);
  }
}

TEST(ResourceTest, ApiVersion) {
  EXPECT_EQ(resources::kServices.apiVersion(), "v1");
  EXPECT_EQ(resources::kLeases.apiVersion(), "coordination.k8s.io/v1");
}

TEST(ResourceTest, QueryEncoding) {
  EXPECT_EQ(buildQuery({{"labelSelector", "app in (a,b),!x"}, {"limit", "5"}, {"continue", ""}}),
            "?labelSelector=app%20in%20%28a%2Cb%29%2C%21x&limit=5");
  EXPECT_EQ(buildQuery({{"a", ""}}), "");
  EXPECT_EQ(urlEncode("a/b c=d&é"), "a%2Fb%20c%3Dd%26%C3%A9");
  EXPECT_EQ(urlEncode("A-z_0.9~"), "A-z_0.9~");
}

}  // namespace
}  // namespace ironlb::k8s
