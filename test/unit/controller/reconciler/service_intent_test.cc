// ServiceIntent: scope (type and class), annotations under both prefixes, requested IPs,
// families, ports, sharing and backend keys, status IPs.
#include "controller/reconciler/service_intent.h"

#include <gtest/gtest.h>

#include "controller/reconciler/annotations.h"
#include "service_builder.h"

namespace ironlb::reconciler {
namespace {

using testing::ip;
using testing::Svc;

TEST(ScopeTest, ClassFilter) {
  struct Case {
    const char* name;
    api::Service service;
    std::string configured;
    Scope want;
  };
  const Case cases[] = {
      {"no class, none configured", Svc("a", "s"), "", Scope::kLoadBalancer},
      {"class, none configured", Svc("a", "s").cls("x"), "", Scope::kOtherClass},
      {"same class", Svc("a", "s").cls("x"), "x", Scope::kLoadBalancer},
      {"other class", Svc("a", "s").cls("y"), "x", Scope::kOtherClass},
      {"no class, class configured", Svc("a", "s"), "x", Scope::kOtherClass},
      {"class prefix is not the class", Svc("a", "s").cls("x2"), "x", Scope::kOtherClass},
      {"ClusterIP", Svc("a", "s").type("ClusterIP"), "", Scope::kNotLoadBalancer},
      {"NodePort, class configured", Svc("a", "s").type("NodePort"), "x", Scope::kNotLoadBalancer},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(scopeOf(c.service, c.configured), c.want) << c.name;
  }
}

TEST(ServiceIntentTest, AnnotationsUnderBothPrefixes) {
  struct Case {
    const char* name;
    api::Service service;
    std::string pool, sharing;
    std::vector<net::IpAddress> ips;
    std::vector<std::string> deprecated;
  };
  const Case cases[] = {
      {"none", Svc("a", "s"), "", "", {}, {}},
      {"preferred prefix",
       Svc("a", "s")
           .annotate("metallb.io/address-pool", "p1")
           .annotate("metallb.io/allow-shared-ip", "k")
           .annotate("metallb.io/loadBalancerIPs", "192.0.2.5"),
       "p1",
       "k",
       {ip("192.0.2.5")},
       {}},
      {"deprecated prefix honoured and listed",
       Svc("a", "s")
           .annotate("metallb.universe.tf/address-pool", "p2")
           .annotate("metallb.universe.tf/allow-shared-ip", "k2")
           .annotate("metallb.universe.tf/loadBalancerIPs", "192.0.2.6"),
       "p2",
       "k2",
       {ip("192.0.2.6")},
       {"metallb.universe.tf/address-pool", "metallb.universe.tf/allow-shared-ip",
        "metallb.universe.tf/loadBalancerIPs"}},
      {"preferred wins over deprecated",
       Svc("a", "s")
           .annotate("metallb.io/address-pool", "new")
           .annotate("metallb.universe.tf/address-pool", "old"),
       "new",
       "",
       {},
       {"metallb.universe.tf/address-pool"}},
      {"the controller's own deprecated output is not the user's",
       Svc("a", "s").annotate("metallb.universe.tf/ip-allocated-from-pool", "p"),
       "",
       "",
       {},
       {}},
      {"dual-stack request, spaces trimmed",
       Svc("a", "s").annotate("metallb.io/loadBalancerIPs", " 192.0.2.7 , 2001:db8::7"),
       "",
       "",
       {ip("192.0.2.7"), ip("2001:db8::7")},
       {}},
      {"spec.loadBalancerIP", Svc("a", "s").lbIp("198.51.100.3"), "", "", {ip("198.51.100.3")}, {}},
  };
  for (const Case& c : cases) {
    auto intent = serviceIntent(c.service, {});
    ASSERT_TRUE(intent.ok()) << c.name << ": " << intent.error();
    EXPECT_EQ(intent->request.requestedPool, c.pool) << c.name;
    EXPECT_EQ(intent->request.sharingKey, c.sharing) << c.name;
    EXPECT_EQ(intent->request.requestedIps, c.ips) << c.name;
    EXPECT_EQ(intent->deprecatedAnnotations, c.deprecated) << c.name;
    EXPECT_EQ(intent->requestError, "") << c.name;
  }
}

TEST(ServiceIntentTest, UnusableRequestsAreReportedNotFatal) {
  struct Case {
    const char* name;
    api::Service service;
    const char* mentions;
  };
  const Case cases[] = {
      {"annotation and spec.loadBalancerIP",
       Svc("a", "s").annotate("metallb.io/loadBalancerIPs", "192.0.2.1").lbIp("192.0.2.2"),
       "spec.loadBalancerIP"},
      {"deprecated annotation and spec field",
       Svc("a", "s").annotate("metallb.universe.tf/loadBalancerIPs", "192.0.2.1").lbIp("192.0.2.1"),
       "metallb.universe.tf/loadBalancerIPs"},
      {"not an IP", Svc("a", "s").annotate("metallb.io/loadBalancerIPs", "192.0.2.300"),
       "192.0.2.300"},
      {"empty entry", Svc("a", "s").annotate("metallb.io/loadBalancerIPs", "192.0.2.1,"),
       "entry \"\""},
      {"bad spec field", Svc("a", "s").lbIp("nope"), "nope"},
      // Addresses no host can use: refused with the reason, never handed to the allocator.
      {"loopback annotation", Svc("a", "s").annotate("metallb.io/loadBalancerIPs", "127.0.0.1"),
       "annotation metallb.io/loadBalancerIPs: \"127.0.0.1\": 127.0.0.1 is a loopback address "
       "(127.0.0.0/8), which no host can use as a Service address"},
      {"multicast in a dual-stack list",
       Svc("a", "s").annotate("metallb.io/loadBalancerIPs", "192.0.2.1,ff02::1"),
       "ff02::1 is a multicast address (ff00::/8)"},
      {"unspecified", Svc("a", "s").annotate("metallb.io/loadBalancerIPs", "::"),
       ":: is the unspecified address"},
      {"limited broadcast field", Svc("a", "s").lbIp("255.255.255.255"),
       "spec.loadBalancerIP \"255.255.255.255\": 255.255.255.255 is the limited broadcast "
       "address, which no host can use as a Service address"},
      {"multicast field", Svc("a", "s").lbIp("224.0.0.1"), "224.0.0.1 is a multicast address"},
      {"IPv6 loopback field", Svc("a", "s").lbIp("::1"), "::1 is the loopback address"},
      {"unspecified field", Svc("a", "s").lbIp("0.0.0.0"), "0.0.0.0 is a \"this network\" address"},
  };
  for (const Case& c : cases) {
    auto intent = serviceIntent(c.service, {});
    ASSERT_TRUE(intent.ok()) << c.name;
    EXPECT_NE(intent->requestError.find(c.mentions), std::string::npos)
        << c.name << ": " << intent->requestError;
    EXPECT_TRUE(intent->request.requestedIps.empty()) << c.name;
  }
}

TEST(ServiceIntentTest, FamiliesPolicyPortsKeys) {
  api::Service legacy = Svc("a", "s").families({});
  legacy.spec.clusterIps = {"fd00::1", "10.0.0.1"};
  auto r = serviceIntent(legacy, {{"team", "x"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.families, (std::vector{net::Family::kV6, net::Family::kV4}));
  EXPECT_EQ(r->request.familyPolicy, allocator::FamilyPolicy::kSingleStack);
  EXPECT_EQ(r->request.key, "a/s");
  EXPECT_EQ(r->request.ns, "a");
  EXPECT_EQ(r->request.namespaceLabels, (lbconfig::Labels{{"team", "x"}}));

  api::Service dual = Svc("a", "s")
                          .families({net::Family::kV4, net::Family::kV6})
                          .policy(api::IpFamilyPolicy::kRequireDualStack)
                          .ports({{"a", "TCP", 80}, {"b", "UDP", 53}, {"c", "SCTP", 9}})
                          .label("app", "web");
  r = serviceIntent(dual, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.familyPolicy, allocator::FamilyPolicy::kRequireDualStack);
  using allocator::Protocol;
  EXPECT_EQ(r->request.ports,
            (std::vector<allocator::ServicePort>{
                {Protocol::kTcp, 80}, {Protocol::kUdp, 53}, {Protocol::kSctp, 9}}));
  EXPECT_EQ(r->request.labels, (lbconfig::Labels{{"app", "web"}}));
  EXPECT_EQ(r->request.backendKey, "");

  r = serviceIntent(Svc("a", "s").local({{"b", "2"}, {"a", "1"}}), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.backendKey, "a=1,b=2");

  EXPECT_FALSE(serviceIntent(Svc("a", "s").families({}), {}).ok()) << "no family at all";
  EXPECT_FALSE(serviceIntent(Svc("a", "s").ports({{"x", "ICMP", 1}}), {}).ok());
}

TEST(ServiceIntentTest, StatusIps) {
  api::Service s = Svc("a", "s").status({"192.0.2.1", "2001:db8::1"});
  s.status.ingress.push_back({"", "lb.example.com", std::nullopt});
  auto ips = statusIps(s);
  ASSERT_TRUE(ips.ok());
  EXPECT_EQ(*ips, (std::vector{ip("192.0.2.1"), ip("2001:db8::1")}));
  EXPECT_FALSE(statusIps(Svc("a", "s").status({"bogus"})).ok());
}

TEST(AnnotationsTest, Keys) {
  EXPECT_EQ(annotationKey(kIpAllocatedFromPool), "metallb.io/ip-allocated-from-pool");
  EXPECT_EQ(deprecatedAnnotationKey(kAddressPool), "metallb.universe.tf/address-pool");
  api::StringMap a{{"metallb.universe.tf/loadBalancerIPs", "x"}};
  auto v = findAnnotation(a, kLoadBalancerIps);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->deprecated);
  EXPECT_EQ(v->key, "metallb.universe.tf/loadBalancerIPs");
  EXPECT_FALSE(findAnnotation(a, kAddressPool).has_value());
}

TEST(AnnotationsTest, ConflictsWhenBothPrefixesDisagree) {
  const std::string io = "metallb.io/";
  const std::string tf = "metallb.universe.tf/";
  struct Case {
    const char* name;
    api::StringMap annotations;
    std::vector<std::string> conflicting;  // names after the prefix, in report order
  };
  const Case cases[] = {
      {"only preferred", {{io + "address-pool", "a"}}, {}},
      {"only deprecated", {{tf + "address-pool", "a"}}, {}},
      {"same pool", {{io + "address-pool", "a"}, {tf + "address-pool", "a"}}, {}},
      {"other pool", {{io + "address-pool", "a"}, {tf + "address-pool", "b"}}, {"address-pool"}},
      {"pool names are exact",
       {{io + "address-pool", "a"}, {tf + "address-pool", "A"}},
       {"address-pool"}},
      {"other sharing key",
       {{io + "allow-shared-ip", "k"}, {tf + "allow-shared-ip", "k2"}},
       {"allow-shared-ip"}},
      {"other IP",
       {{io + "loadBalancerIPs", "192.0.2.1"}, {tf + "loadBalancerIPs", "192.0.2.2"}},
       {"loadBalancerIPs"}},
      {"one IP more",
       {{io + "loadBalancerIPs", "192.0.2.1"}, {tf + "loadBalancerIPs", "192.0.2.1,2001:db8::1"}},
       {"loadBalancerIPs"}},
      {"same IPs written differently",
       {{io + "loadBalancerIPs", "2001:db8::1, 192.0.2.1"},
        {tf + "loadBalancerIPs", "192.0.2.1,2001:DB8:0::1"}},
       {}},
      {"all three, in a fixed order",
       {{io + "allow-shared-ip", "k"},
        {tf + "allow-shared-ip", "x"},
        {io + "loadBalancerIPs", "192.0.2.1"},
        {tf + "loadBalancerIPs", "192.0.2.9"},
        {io + "address-pool", "a"},
        {tf + "address-pool", "b"}},
       {"address-pool", "loadBalancerIPs", "allow-shared-ip"}},
      {"the controller's own output is no request",
       {{io + "ip-allocated-from-pool", "a"}, {tf + "ip-allocated-from-pool", "b"}},
       {}},
  };
  for (const Case& c : cases) {
    const auto conflicts = conflictingAnnotations(c.annotations);
    std::vector<std::string> names;
    for (const AnnotationConflict& conflict : conflicts) {
      names.push_back(conflict.used.key.substr(io.size()));
      EXPECT_EQ(conflict.ignored.key, tf + names.back()) << c.name;
      EXPECT_EQ(conflict.used.value, c.annotations.at(conflict.used.key)) << c.name;
      EXPECT_EQ(conflict.ignored.value, c.annotations.at(conflict.ignored.key)) << c.name;
    }
    EXPECT_EQ(names, c.conflicting) << c.name;
  }
  // The intent carries them, and the preferred value is the one requested.
  auto intent = serviceIntent(Svc("a", "s")
                                  .annotate(io + "loadBalancerIPs", "192.0.2.1")
                                  .annotate(tf + "loadBalancerIPs", "192.0.2.2"),
                              {});
  ASSERT_TRUE(intent.ok()) << intent.error();
  EXPECT_EQ(intent->request.requestedIps, std::vector{ip("192.0.2.1")});
  ASSERT_EQ(intent->annotationConflicts.size(), 1u);
  EXPECT_EQ(intent->annotationConflicts[0].ignored.value, "192.0.2.2");
}

}  // namespace
}  // namespace ironlb::reconciler
