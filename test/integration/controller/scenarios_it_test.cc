// docs/services.md and docs/allocation-rules.md end to end: the real ironlb-controller against the
// real kube-apiserver. Each test has its own install namespace, loadBalancerClass and controller
// process.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "common/k8s/object_meta.h"
#include "common/util/rfc3339.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

const std::string kPoolAnnotation = "metallb.io/ip-allocated-from-pool";

// A namespace of its own (for namespace selectors), cleaned up with its Services.
class ExtraNamespace {
 public:
  ExtraNamespace(const std::string& prefix, std::map<std::string, std::string> labels)
      : name_(unique(prefix)) {
    std::string error;
    EXPECT_TRUE(
        cluster().create(k8s::resources::kNamespaces, "", namespaceObject(name_, labels), &error))
        << error;
  }
  ~ExtraNamespace() {
    for (const Json& s : cluster().list(k8s::resources::kServices, name_))
      cluster().remove(k8s::resources::kServices, name_, k8s::nameOf(s));
    cluster().remove(k8s::resources::kNamespaces, "", name_);
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

bool createServiceIn(const std::string& ns, const std::string& name, const ServiceSpec& spec) {
  std::string error;
  const bool ok =
      cluster().create(k8s::resources::kServices, ns, serviceObject(name, spec), &error);
  EXPECT_TRUE(ok) << error;
  return ok;
}

// The API server's clock (this machine's) has passed the second an object was created in, so an
// object created now gets a later creationTimestamp (they have whole seconds).
bool clockPassedCreationOf(const Json& object) {
  const std::string created = object["metadata"]["creationTimestamp"].get<std::string>();
  return eventually(
      [&] {
        return util::formatRfc3339(std::chrono::system_clock::now(),
                                   util::Rfc3339Fraction::kSeconds) > created;
      },
      5s);
}

// Waits until an event `type_reason` ("Warning/ConfigWarning") about the object says `text`.
bool waitEventSaying(Scenario& s, const std::string& name, const std::string& kind,
                     const std::string& typeReason, const std::string& text) {
  const bool said = eventually(
      [&] {
        for (const auto& e : s.events(name, kind)) {
          if (e.rfind(typeReason, 0) == 0 && e.find(text) != std::string::npos) return true;
        }
        return false;
      },
      30s);
  EXPECT_TRUE(said) << name << " lacks " << typeReason << " [" << text
                    << "]: " << testing::PrintToString(s.events(name, kind));
  return said;
}

// No configuration error (or warning) was logged or posted about the pool. Call it once the
// controller reported the build (metallb_k8s_client_config_stale_bool set): it logs every
// finding, each before posting its event, and only then sets the flag.
void expectNotReportedOn(Scenario& s, Controller& c, const std::string& pool, bool errors) {
  const std::string line = std::string(errors ? "configuration error" : "configuration warning") +
                           " object=\"IPAddressPool " + s.ns() + "/" + pool + "\"";
  EXPECT_EQ(c.log().find(line), std::string::npos) << c.log();
  const std::string reason = errors ? "Warning/InvalidConfiguration" : "Warning/ConfigWarning";
  for (const auto& e : s.events(pool, "IPAddressPool"))
    EXPECT_NE(e.rfind(reason, 0), 0u) << e;
}

// A positive marker instead of a sleep: a Service created now that does get an IP. The controller
// handles Service changes first in, first out, so once the marker shows its IP every earlier
// change has been decided; and once its IPAllocated Event shows, every Event recorded before
// has been posted (one queue, in order). `spec` must get an IP in the scenario (e.g. name a
// pool with autoAssign false that nothing else uses, so the marker takes nothing others wait
// for).
bool markerServed(Scenario& s, const ServiceSpec& spec = {}) {
  static std::atomic<int> markers{0};
  const std::string name = "marker-" + std::to_string(++markers);
  if (!s.createService(name, spec)) return false;
  const bool served = !s.waitAnyIps(name).empty() && s.waitEvent(name, "Normal/IPAllocated");
  EXPECT_TRUE(served) << "the marker Service " << name << " got no IP (or no IPAllocated Event)";
  return served;
}

// The Services have been decided (markerServed) and still show no IP.
void expectStillPending(Scenario& s, const std::vector<std::string>& names,
                        const ServiceSpec& marker = {}) {
  if (!markerServed(s, marker)) return;
  for (const std::string& name : names)
    EXPECT_TRUE(s.ips(name).empty()) << name << " got " << s.ips(name).size() << " IP(s)";
}

TEST(ControllerIT, RequestedIps) {
  Scenario s("req");
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("by-annotation", {.annotations = {{"metallb.io/loadBalancerIPs", "192.0.2.7"}}});
  s.createService("by-field", {.loadBalancerIp = "192.0.2.9"});
  EXPECT_TRUE(s.waitIps("by-annotation", {"192.0.2.7"}));
  EXPECT_TRUE(s.waitIps("by-field", {"192.0.2.9"}));

  // Both ways at once: an error event, no crash, no IP.
  s.createService("both", {.annotations = {{"metallb.io/loadBalancerIPs", "192.0.2.3"}},
                           .loadBalancerIp = "192.0.2.3"});
  EXPECT_TRUE(s.waitEvent("both", "Warning/AllocationFailed"));
  // An IP another Service holds (no sharing key): refused, the holder keeps it.
  s.createService("taken", {.annotations = {{"metallb.io/loadBalancerIPs", "192.0.2.7"}}});
  EXPECT_TRUE(s.waitEvent("taken", "Warning/AllocationFailed"));
  expectStillPending(s, {"both", "taken"});
  EXPECT_EQ(s.ips("by-annotation"), std::vector<std::string>{"192.0.2.7"});
  EXPECT_TRUE(s.controller().running()) << "the controller survived";
  for (const auto& e : s.events("both")) {
    if (e.rfind("Warning/AllocationFailed", 0) == 0) {
      EXPECT_NE(e.find("spec.loadBalancerIP"), std::string::npos) << e;
    }
  }
  // A Service holding an IP whose request becomes unreadable keeps the IP: MetalLB's
  // LoadBalancerFailed, not AllocationFailed (docs/allocation-rules.md, "Events").
  ASSERT_TRUE(cluster().mergePatch(
      k8s::resources::kServices, s.ns(), "by-field",
      {{"metadata", {{"annotations", {{"metallb.io/loadBalancerIPs", "192.0.2.10"}}}}}}));
  EXPECT_TRUE(s.waitEvent("by-field", "Warning/LoadBalancerFailed"));
  EXPECT_EQ(s.ips("by-field"), std::vector<std::string>{"192.0.2.9"});
}

TEST(ControllerIT, NamedPoolAndAutoAssignFalse) {
  Scenario s("pool");
  s.createPool("manual", {"192.0.2.0/28"}, {{"autoAssign", false}});
  s.createPool("auto", {"198.51.100.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("plain");
  s.createService("named", {.annotations = {{"metallb.io/address-pool", "manual"}}});
  s.createService("missing", {.annotations = {{"metallb.io/address-pool", "nope"}}});
  EXPECT_TRUE(s.waitIps("plain", {"198.51.100.0"})) << "autoAssign=false pools are skipped";
  EXPECT_TRUE(s.waitIps("named", {"192.0.2.0"}));
  auto named = cluster().get(k8s::resources::kServices, s.ns(), "named");
  ASSERT_TRUE(named);
  EXPECT_EQ(annotationOf(*named, kPoolAnnotation), "manual");
  EXPECT_TRUE(s.waitEvent("named", "Normal/IPAllocated"));
  EXPECT_TRUE(s.waitEvent("missing", "Warning/AllocationFailed"));

  // Asking for another pool afterwards clears and re-allocates.
  ASSERT_TRUE(cluster().mergePatch(
      k8s::resources::kServices, s.ns(), "plain",
      {{"metadata", {{"annotations", {{"metallb.io/address-pool", "manual"}}}}}}));
  EXPECT_TRUE(s.waitIps("plain", {"192.0.2.1"}));
  EXPECT_TRUE(s.waitEvent("plain", "Normal/ClearAssignment"));
}

TEST(ControllerIT, NamespaceAndServiceSelectorsWithPriority) {
  Scenario s("sel");
  ExtraNamespace gold("ctl-gold", {{"tier", "gold"}});
  ExtraNamespace other("ctl-other", {});
  s.createPool("gold", {"192.0.2.0/28"},
               {{"serviceAllocation",
                 {{"priority", 10},
                  {"namespaceSelectors", Json::array({{{"matchLabels", {{"tier", "gold"}}}}})}}}});
  s.createPool("web", {"198.51.100.0/28"},
               {{"serviceAllocation",
                 {{"priority", 5},
                  {"serviceSelectors", Json::array({{{"matchLabels", {{"app", "web"}}}}})}}}});
  s.createPool("default", {"203.0.113.0/28"});
  s.createAdvertisement();
  s.startController();
  createServiceIn(gold.name(), "web", {.lbClass = s.cls(), .labels = {{"app", "web"}}});
  createServiceIn(gold.name(), "db", {.lbClass = s.cls()});
  createServiceIn(other.name(), "db", {.lbClass = s.cls()});
  EXPECT_TRUE(cluster().waitIps(gold.name(), "web", {"198.51.100.0"})) << "priority 5 beats 10";
  EXPECT_TRUE(cluster().waitIps(gold.name(), "db", {"192.0.2.0"})) << "namespace selector";
  EXPECT_TRUE(cluster().waitIps(other.name(), "db", {"203.0.113.0"})) << "unconstrained pool";

  // The gold namespace loses its label: its Service no longer fits the gold pool.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kNamespaces, "", gold.name(),
                                   {{"metadata", {{"labels", {{"tier", nullptr}}}}}}));
  EXPECT_TRUE(cluster().waitIps(gold.name(), "db", {"203.0.113.1"}));
  EXPECT_TRUE(cluster().waitEvent(gold.name(), "Service", "db", "Normal/ClearAssignment"));
  // The other namespace gains it: its Service keeps its valid IP (IPs never move while valid),
  // new Services there use the gold pool (192.0.2.0 is held back for gold's db, which gave it
  // up because of the label edit: docs/allocation.md).
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kNamespaces, "", other.name(),
                                   {{"metadata", {{"labels", {{"tier", "gold"}}}}}}));
  createServiceIn(other.name(), "new", {.lbClass = s.cls()});
  EXPECT_TRUE(cluster().waitIps(other.name(), "new", {"192.0.2.1"}));
  EXPECT_EQ(cluster().ips(other.name(), "db"), std::vector<std::string>{"203.0.113.0"});
}

TEST(ControllerIT, EqualPriorityPrefersThePoolSelectingTheService) {
  // MetalLB tries the pools whose serviceAllocation selects the Service before the others. "a-any"
  // sorts first by name and admits everything at the same priority: the namespace's pool wins.
  Scenario s("eqprio");
  ExtraNamespace team("ctl-team", {{"team", "x"}});
  s.createPool("a-any", {"192.0.2.0/28"}, {{"serviceAllocation", {{"priority", 10}}}});
  s.createPool("z-team", {"198.51.100.0/28"},
               {{"serviceAllocation",
                 {{"priority", 10},
                  {"namespaceSelectors", Json::array({{{"matchLabels", {{"team", "x"}}}}})}}}});
  s.createPool("z-web", {"203.0.113.0/28"},
               {{"serviceAllocation",
                 {{"priority", 10},
                  {"serviceSelectors", Json::array({{{"matchLabels", {{"app", "web"}}}}})}}}});
  s.createAdvertisement();
  s.startController();
  createServiceIn(team.name(), "by-namespace", {.lbClass = s.cls()});
  s.createService("by-label", {.labels = {{"app", "web"}}});
  s.createService("neither");
  EXPECT_TRUE(cluster().waitIps(team.name(), "by-namespace", {"198.51.100.0"}));
  EXPECT_TRUE(s.waitIps("by-label", {"203.0.113.0"}));
  EXPECT_TRUE(s.waitIps("neither", {"192.0.2.0"}));
}

TEST(ControllerIT, SharingKeys) {
  Scenario s("share");
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  s.startController();
  auto shared = [&](const std::string& key, int port) {
    return ServiceSpec{.annotations = {{"metallb.io/allow-shared-ip", key},
                                       {"metallb.io/loadBalancerIPs", "192.0.2.5"}},
                       .ports = {{"TCP", port}}};
  };
  s.createService("http", shared("k", 80));
  s.createService("https", shared("k", 443));
  EXPECT_TRUE(s.waitIps("http", {"192.0.2.5"}));
  EXPECT_TRUE(s.waitIps("https", {"192.0.2.5"})) << "same key, distinct ports: one IP";
  s.createService("clash", shared("k", 80));
  EXPECT_TRUE(s.waitEvent("clash", "Warning/AllocationFailed")) << "same port on a shared IP";
  s.createService("stranger", shared("other", 8080));
  EXPECT_TRUE(s.waitEvent("stranger", "Warning/AllocationFailed")) << "different key";
  // Automatic allocation also packs compatible Services onto one IP.
  s.createService(
      "auto-a", {.annotations = {{"metallb.io/allow-shared-ip", "auto"}}, .ports = {{"UDP", 53}}});
  const auto a = s.waitAnyIps("auto-a");
  ASSERT_EQ(a.size(), 1u);
  s.createService(
      "auto-b", {.annotations = {{"metallb.io/allow-shared-ip", "auto"}}, .ports = {{"TCP", 53}}});
  EXPECT_TRUE(s.waitIps("auto-b", a));
}

TEST(ControllerIT, DualStack) {
  Scenario s("dual");
  s.createPool("p", {"192.0.2.0/28", "2001:db8:1::/124"});
  s.createAdvertisement();
  s.startController();
  // One at a time: Services the controller first sees together are served in list (name)
  // order, and the expected addresses follow creation order.
  s.createService("require", {.families = {"IPv4", "IPv6"}, .familyPolicy = "RequireDualStack"});
  EXPECT_TRUE(s.waitIps("require", {"192.0.2.0", "2001:db8:1::"}));
  s.createService("v6", {.families = {"IPv6"}, .familyPolicy = "SingleStack"});
  EXPECT_TRUE(s.waitIps("v6", {"2001:db8:1::1"}));
  s.createService("prefer6", {.families = {"IPv6", "IPv4"}, .familyPolicy = "PreferDualStack"});
  EXPECT_TRUE(s.waitIps("prefer6", {"2001:db8:1::2", "192.0.2.1"})) << "primary family first";
  s.createService("v4", {});
  EXPECT_TRUE(s.waitIps("v4", {"192.0.2.2"}));
  // A RequireDualStack Service with a single-family pool available fails loudly.
  Scenario only4("dual4");
  only4.createPool("p", {"192.0.2.0/28"});
  only4.createAdvertisement();
  only4.startController();
  only4.createService("require",
                      {.families = {"IPv4", "IPv6"}, .familyPolicy = "RequireDualStack"});
  EXPECT_TRUE(only4.waitEvent("require", "Warning/AllocationFailed"));
  // PreferDualStack there gets IPv4 only; MetalLB's Normal AdditionalAssignFailed says why.
  only4.createService("prefer", {.families = {"IPv4", "IPv6"}, .familyPolicy = "PreferDualStack"});
  EXPECT_EQ(only4.waitAnyIps("prefer").size(), 1u);
  EXPECT_TRUE(only4.waitEvent("prefer", "Normal/AdditionalAssignFailed"));
}

TEST(ControllerIT, UnusableAddressesAreNeverAssigned) {
  // Issue 11: /0 pools handed out 0.0.0.0 and ::, and 127.0.0.1, 224.0.0.1, 255.255.255.255,
  // ff02::1 and ::1 could be requested. The pools are accepted without those addresses (a
  // warning on the pool names them); requests for them are refused on the Service.
  Scenario s("unusable");
  s.createPool("v4-all", {"0.0.0.0/0"});
  s.createPool("v6-all", {"::/0"});
  s.createAdvertisement();
  Controller& c = s.startController();
  ASSERT_TRUE(c.waitReady());
  s.createService("v4");
  s.createService("v6", {.families = {"IPv6"}, .familyPolicy = "SingleStack"});
  EXPECT_TRUE(s.waitIps("v4", {"1.0.0.0"}));
  EXPECT_TRUE(s.waitIps("v6", {"::2"}));

  waitEventSaying(s, "v4-all", "IPAddressPool", "Warning/ConfigWarning",
                  "spec.addresses[0]: \"0.0.0.0/0\" includes addresses that no host can use as a "
                  "Service address; they are never assigned: 0.0.0.0/8 (this network), "
                  "127.0.0.0/8 (loopback), 169.254.0.0/16 (link-local), 224.0.0.0/4 (multicast), "
                  "255.255.255.255 (limited broadcast)");
  waitEventSaying(s, "v6-all", "IPAddressPool", "Warning/ConfigWarning",
                  "they are never assigned: :: (unspecified), ::1 (loopback), ::ffff:0.0.0.0/96 "
                  "(IPv4-mapped), fe80::/10 (link-local), ff00::/8 (multicast)");
  // The pool counts only what it can hand out: 2^32 minus the excluded blocks, minus "v4".
  EXPECT_TRUE(eventually([&] {
    auto pool = cluster().get(k8s::resources::kIPAddressPools, s.ns(), "v4-all");
    return pool && statusInt(*pool, "availableIPv4") == 3992911871 - 1;
  })) << cluster().get(k8s::resources::kIPAddressPools, s.ns(), "v4-all")->dump();

  const struct {
    std::string name;
    ServiceSpec spec;
    std::string reason;
  } requests[] = {
      {"lo",
       {.annotations = {{"metallb.io/loadBalancerIPs", "127.0.0.1"}}},
       "127.0.0.1 is a loopback address (127.0.0.0/8), which no host can use as a Service "
       "address"},
      {"mcast",
       {.annotations = {{"metallb.io/loadBalancerIPs", "224.0.0.1"}}},
       "224.0.0.1 is a multicast address (224.0.0.0/4)"},
      {"bcast",
       {.annotations = {{"metallb.io/loadBalancerIPs", "255.255.255.255"}}},
       "255.255.255.255 is the limited broadcast address"},
      {"unspec",
       {.annotations = {{"metallb.io/loadBalancerIPs", "0.0.0.0"}}},
       "0.0.0.0 is a \"this network\" address (0.0.0.0/8)"},
      {"lo6",
       {.annotations = {{"metallb.io/loadBalancerIPs", "::1"}},
        .families = {"IPv6"},
        .familyPolicy = "SingleStack"},
       "::1 is the loopback address"},
      {"mcast6",
       {.annotations = {{"metallb.io/loadBalancerIPs", "ff02::1"}},
        .families = {"IPv6"},
        .familyPolicy = "SingleStack"},
       "ff02::1 is a multicast address (ff00::/8)"},
      {"field",
       {.loadBalancerIp = "169.254.1.1"},
       "spec.loadBalancerIP \"169.254.1.1\": 169.254.1.1 is a link-local address"},
  };
  for (const auto& r : requests)
    s.createService(r.name, r.spec);
  for (const auto& r : requests) {
    waitEventSaying(s, r.name, "Service", "Warning/AllocationFailed", r.reason);
    EXPECT_TRUE(s.ips(r.name).empty()) << r.name;
  }
}

TEST(ControllerIT, ClassFiltering) {
  Scenario s("class");
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("other-class", {.lbClass = "example.com/other"});
  std::string error;
  ServiceSpec none;
  ASSERT_TRUE(
      cluster().create(k8s::resources::kServices, s.ns(), serviceObject("no-class", none), &error))
      << error;
  // "mine", created last, is the marker: once it has its IP the others have been seen.
  s.createService("mine");
  EXPECT_TRUE(s.waitIps("mine", {"192.0.2.0"}));
  EXPECT_TRUE(s.ips("other-class").empty());
  EXPECT_TRUE(s.ips("no-class").empty());
  EXPECT_TRUE(s.events("other-class").empty());
  EXPECT_TRUE(s.events("no-class").empty());
}

TEST(ControllerIT, AvoidBuggyIpsTurnedOnClearsAndReallocates) {
  Scenario s("buggy");
  s.createPool("p", {"192.0.2.0/24"});
  s.createAdvertisement();
  s.startController();
  s.createService("a");
  s.createService("b", {.annotations = {{"metallb.io/loadBalancerIPs", "192.0.2.255"}}});
  ASSERT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  ASSERT_TRUE(s.waitIps("b", {"192.0.2.255"}));
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "p",
                                   {{"spec", {{"avoidBuggyIPs", true}}}}));
  EXPECT_TRUE(s.waitIps("a", {"192.0.2.1"}));
  EXPECT_TRUE(s.waitEvent("a", "Normal/ClearAssignment"));
  EXPECT_TRUE(s.waitEvent("b", "Normal/ClearAssignment"));
  EXPECT_TRUE(s.waitEvent("b", "Warning/AllocationFailed")) << "its requested IP is now forbidden";
  EXPECT_TRUE(s.waitIps("b", {}));
}

TEST(ControllerIT, PoolDeletionForcedPastProtectionClearsStatuses) {
  // An administrator removes the pool-protection finalizer by hand (docs/allocation.md): the
  // pool goes and its Services lose their IPs.
  Scenario s("del");
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("a");
  ASSERT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  ASSERT_TRUE(eventually([&] {
    auto p = cluster().get(k8s::resources::kIPAddressPools, s.ns(), "p");
    return p && p->at("metadata").contains("finalizers");
  }));
  ASSERT_TRUE(cluster().remove(k8s::resources::kIPAddressPools, s.ns(), "p"));
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "p",
                                   {{"metadata", {{"finalizers", nullptr}}}}));
  EXPECT_TRUE(s.waitIps("a", {}));
  EXPECT_TRUE(eventually([&] {
    auto svc = cluster().get(k8s::resources::kServices, s.ns(), "a");
    return svc && annotationOf(*svc, kPoolAnnotation).empty();
  }));
  EXPECT_TRUE(s.waitEvent("a", "Normal/ClearAssignment"));
  // A new pool brings it back.
  s.createPool("q", {"198.51.100.0/28"});
  EXPECT_TRUE(s.waitIps("a", {"198.51.100.0"}));
}

TEST(ControllerIT, InvalidPoolEditKeepsTheLastValidConfiguration) {
  Scenario s("invalid");
  s.createPool("a", {"192.0.2.0/28"});
  s.createPool("b", {"198.51.100.0/28"}, {{"autoAssign", false}});
  s.createAdvertisement();
  Controller& c = s.startController();
  s.createService("held");
  ASSERT_TRUE(s.waitIps("held", {"192.0.2.0"}));
  // b now overlaps a: the whole new configuration is invalid.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "b",
                                   {{"spec", {{"addresses", {"192.0.2.8/29"}}}}}));
  EXPECT_TRUE(eventually([&] { return c.metric("metallb_k8s_client_config_stale_bool") == 1.0; }));
  EXPECT_TRUE(s.waitEvent("b", "Warning/InvalidConfiguration", "IPAddressPool"));
  // IPs in use stay; new Services are served from the last valid configuration.
  s.createService("new");
  EXPECT_TRUE(s.waitIps("new", {"192.0.2.1"}));
  EXPECT_EQ(s.ips("held"), std::vector<std::string>{"192.0.2.0"});
  EXPECT_NE(c.log().find("configuration invalid: keeping the last valid configuration"),
            std::string::npos);
  // Fixed: valid again.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "b",
                                   {{"spec", {{"addresses", {"198.51.100.0/28"}}}}}));
  EXPECT_TRUE(eventually([&] { return c.metric("metallb_k8s_client_config_stale_bool") == 0.0; }));
  EXPECT_EQ(c.metric("metallb_k8s_client_config_loaded_bool"), 1.0);
}

TEST(ControllerIT, OverlapIsReportedOnTheNewerPool) {
  // The case: "aa-new" sorts first by name and by address, yet it is the object the user
  // just applied, so the error is posted there (naming both pools) and the older pool keeps
  // serving.
  Scenario s("overlap");
  s.createPool("zz-existing", {"203.0.113.200/29"});
  s.createAdvertisement();
  Controller& c = s.startController();
  s.createService("held");
  ASSERT_TRUE(s.waitIps("held", {"203.0.113.200"}));
  const auto existing = cluster().get(k8s::resources::kIPAddressPools, s.ns(), "zz-existing");
  ASSERT_TRUE(existing);
  ASSERT_TRUE(clockPassedCreationOf(*existing));
  s.createPool("aa-new", {"203.0.113.0/24"});
  const std::string pool = "IPAddressPool " + s.ns() + "/";
  waitEventSaying(s, "aa-new", "IPAddressPool", "Warning/InvalidConfiguration",
                  "spec.addresses[0]: \"203.0.113.0/24\" overlaps \"203.0.113.200/29\" at "
                  "spec.addresses[0] of " +
                      pool +
                      "zz-existing (203.0.113.0-203.0.113.255 and "
                      "203.0.113.200-203.0.113.207 share addresses); reported on " +
                      pool + "aa-new, the newer of the two");
  ASSERT_TRUE(eventually([&] { return c.metric("metallb_k8s_client_config_stale_bool") == 1.0; }));
  expectNotReportedOn(s, c, "zz-existing", true);
  // The older pool keeps working: its IP in use stays, new Services still get its addresses.
  s.createService("next");
  EXPECT_TRUE(s.waitIps("next", {"203.0.113.201"}));
  EXPECT_EQ(s.ips("held"), std::vector<std::string>{"203.0.113.200"});
}

TEST(ControllerIT, UnadvertisedPoolWarningSaysOnlyWhatIsTrue) {
  // Issue 11: a new pool with nothing assigned, and an invalid one, were told "its addresses are
  // assigned to Services but no node announces them".
  Scenario s("unadv");
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement("only-p", {{"ipAddressPools", {"p"}}});
  Controller& c = s.startController();
  ASSERT_TRUE(c.waitReady());
  s.createPool("lonely", {"198.51.100.0/28"});
  waitEventSaying(s, "lonely", "IPAddressPool", "Warning/ConfigWarning",
                  "no L2Advertisement or BGPAdvertisement selects this pool: no node "
                  "announces the addresses Services get from it");
  for (const auto& e : s.events("lonely", "IPAddressPool"))
    EXPECT_EQ(e.find("assigned to Services"), std::string::npos) << e;
  // Invalid (it overlaps "p" and is the newer pool, by time or by name): its error, no warning.
  s.createPool("zz-broken", {"192.0.2.8/29"});
  ASSERT_TRUE(s.waitEvent("zz-broken", "Warning/InvalidConfiguration", "IPAddressPool"));
  ASSERT_TRUE(eventually([&] { return c.metric("metallb_k8s_client_config_stale_bool") == 1.0; }));
  expectNotReportedOn(s, c, "zz-broken", false);
}

TEST(ControllerIT, InvalidConfigurationAtStartClearsNothing) {
  Scenario s("badstart");
  s.createPool("a", {"192.0.2.0/28"});
  s.createAdvertisement();
  Controller& first = s.startController();
  s.createService("held");
  const auto held = s.waitAnyIps("held");
  ASSERT_FALSE(held.empty());
  EXPECT_EQ(first.stop(), 0);
  // A typo while the controller is down: b overlaps a.
  s.createPool("b", {"192.0.2.8/29"});
  Controller& second = s.startController(s.options(), "-second");
  EXPECT_TRUE(
      eventually([&] { return second.metric("metallb_k8s_client_config_stale_bool") == 1.0; }));
  // The configuration was built and found invalid (the metric is set after that decision).
  EXPECT_FALSE(second.ready()) << "no valid configuration yet: nothing restored, not ready";
  EXPECT_EQ(s.ips("held"), held) << "nothing cleared on the strength of a broken configuration";
  ASSERT_TRUE(cluster().remove(k8s::resources::kIPAddressPools, s.ns(), "b"));
  EXPECT_TRUE(second.waitReady());
  s.createService("next");
  EXPECT_FALSE(s.waitAnyIps("next").empty());
  EXPECT_EQ(s.ips("held"), held);
}

TEST(ControllerIT, TypeChangeAndDeletionReleaseToPendingServices) {
  // Without hold-back (--release-hold=0); with it, see ControllerProtectionIT.ReleasedIpHeldBack.
  Scenario s("release");
  s.createPool("one", {"192.0.2.5/32"});
  // Only for the marker Service (expectStillPending): never handed out unasked.
  s.createPool("marker", {"203.0.113.0/28"}, {{"autoAssign", false}});
  s.createAdvertisement();
  ControllerOptions o = s.options();
  o.extra.push_back("--release-hold=0");
  s.startController(o);
  s.createService("first");
  ASSERT_TRUE(s.waitIps("first", {"192.0.2.5"}));
  s.createService("second");
  EXPECT_TRUE(s.waitEvent("second", "Warning/AllocationFailed"));
  // first stops being a LoadBalancer: its IP goes to the pending Service, our annotation goes.
  ASSERT_TRUE(s.makeClusterIp("first"));
  EXPECT_TRUE(s.waitIps("second", {"192.0.2.5"}));
  EXPECT_TRUE(eventually([&] {
    auto svc = cluster().get(k8s::resources::kServices, s.ns(), "first");
    return svc && annotationOf(*svc, kPoolAnnotation).empty() && ingressIps(*svc).empty();
  }));
  // Back to LoadBalancer: pending now; deleting the holder hands the IP back.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kServices, s.ns(), "first",
                                   {{"spec",
                                     {{"type", "LoadBalancer"},
                                      {"loadBalancerClass", s.cls()},
                                      {"allocateLoadBalancerNodePorts", false}}}}));
  expectStillPending(s, {"first"}, {.annotations = {{"metallb.io/address-pool", "marker"}}});
  ASSERT_TRUE(cluster().remove(k8s::resources::kServices, s.ns(), "second"));
  EXPECT_TRUE(s.waitIps("first", {"192.0.2.5"}));
}

TEST(ControllerIT, DeprecatedAnnotationsAreHonouredAndWarned) {
  Scenario s("deprecated");
  s.createPool("old", {"192.0.2.0/28"}, {{"autoAssign", false}});
  s.createPool("main", {"198.51.100.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("legacy",
                  {.annotations = {{"metallb.universe.tf/address-pool", "old"},
                                   {"metallb.universe.tf/loadBalancerIPs", "192.0.2.4"}}});
  EXPECT_TRUE(s.waitIps("legacy", {"192.0.2.4"}));
  auto warnings = [&] {
    int n = 0;
    for (const auto& e : s.events("legacy"))
      n += e.rfind("Warning/deprecatedAnnotation", 0) == 0;
    return n;
  };
  EXPECT_TRUE(eventually([&] { return warnings() == 2; }, 30s)) << "one per deprecated annotation";
  // Not repeated when the Service is reconciled again.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kServices, s.ns(), "legacy",
                                   {{"metadata", {{"labels", {{"touched", "yes"}}}}}}));
  ASSERT_TRUE(markerServed(s));  // legacy has been reconciled again since the edit
  EXPECT_EQ(warnings(), 2);
}

// Both prefixes set with values that disagree: the preferred one applies, and a Warning names
// both values and the one that applies, once per change (not on every resync).
TEST(ControllerIT, ConflictingAnnotationsAreWarnedOncePerChange) {
  Scenario s("conflict");
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  s.startController();
  s.createService("both", {.annotations = {{"metallb.io/loadBalancerIPs", "192.0.2.4"},
                                           {"metallb.universe.tf/loadBalancerIPs", "192.0.2.5"}}});
  EXPECT_TRUE(s.waitIps("both", {"192.0.2.4"})) << "metallb.io/ wins";
  auto conflicts = [&] {
    std::vector<std::string> out;
    for (const auto& e : s.events("both"))
      if (e.rfind("Warning/conflictingAnnotation:", 0) == 0) out.push_back(e);
    return out;
  };
  ASSERT_TRUE(s.waitEvent("both", "Warning/conflictingAnnotation"));
  const std::string first = conflicts().at(0);
  EXPECT_NE(first.find("metallb.io/loadBalancerIPs=\"192.0.2.4\""), std::string::npos) << first;
  EXPECT_NE(first.find("metallb.universe.tf/loadBalancerIPs=\"192.0.2.5\""), std::string::npos)
      << first;
  EXPECT_NE(first.find("using metallb.io/loadBalancerIPs"), std::string::npos) << first;

  // A resync (an unrelated change) repeats nothing. The marker Service, created after the touch,
  // shows when the controller got past it: one logic thread takes changes in order, and one
  // recorder thread writes their Events in order.
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kServices, s.ns(), "both",
                                   {{"metadata", {{"labels", {{"touched", "yes"}}}}}}));
  s.createService("marker");
  EXPECT_TRUE(s.waitEvent("marker", "Normal/IPAllocated"));
  EXPECT_EQ(conflicts().size(), 1u);

  // A changed value is a new conflict, reported once more.
  ASSERT_TRUE(cluster().mergePatch(
      k8s::resources::kServices, s.ns(), "both",
      {{"metadata", {{"annotations", {{"metallb.universe.tf/loadBalancerIPs", "192.0.2.6"}}}}}}));
  EXPECT_TRUE(eventually([&] { return conflicts().size() == 2; }, 30s));
  const auto all = conflicts();
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const std::string& e) {
    return e.find("metallb.universe.tf/loadBalancerIPs=\"192.0.2.6\"") != std::string::npos;
  }));
  EXPECT_EQ(s.ips("both"), std::vector<std::string>{"192.0.2.4"});
}

// A burst of new Services, all allocated in one go at start-up: every one gets its IPAllocated
// Event (a recorder with one global limit wrote 25, then one per second).
TEST(ControllerIT, ABurstOfServicesAllGetTheirIPAllocatedEvent) {
  constexpr int kServices = 300;
  Scenario s("burst");
  s.createPool("p", {"198.18.0.0/23"});
  s.createAdvertisement();
  std::atomic<int> failed{0};
  parallelFor(kServices, 8, [&](int i) {
    std::string error;
    if (!cluster().create(k8s::resources::kServices, s.ns(),
                          serviceObject("svc-" + std::to_string(i), {.lbClass = s.cls()}),
                          &error)) {
      ++failed;
    }
  });
  ASSERT_EQ(failed, 0);
  Controller& c = s.startController();
  std::set<std::string> evented;
  const bool all = eventually(
      [&] {
        auto events = adminApi().listAll(k8s::resources::kEvents, s.ns(),
                                         {.fieldSelector = "reason=IPAllocated", .limit = 500});
        if (!events) return false;
        for (const Json& e : events->items)
          evented.insert(e["involvedObject"].value("name", ""));
        return static_cast<int>(evented.size()) == kServices;
      },
      120s);
  EXPECT_TRUE(all) << evented.size() << " of " << kServices
                   << " Services have an IPAllocated Event";
  EXPECT_TRUE(eventually([&] {
    int assigned = 0;
    for (const auto& [name, ips] : serviceIps(cluster(), s.ns()))
      assigned += ips.empty() ? 0 : 1;
    return assigned == kServices;
  }));
  for (const char* reason : {"object_rate_limit", "global_rate_limit", "queue_full", "error"}) {
    EXPECT_EQ(c.metric(std::string("ironlb_k8s_events_dropped_total{reason=\"") + reason + "\"}"),
              0.0)
        << reason;
  }
  dumpLogOnFailure(c);
}

TEST(ControllerIT, PoolStatusMetricsAndUnadvertisedWarning) {
  Scenario s("status");
  s.createPool("p", {"192.0.2.0/28", "2001:db8:2::/120"});
  // Named to sort after "p": equal-priority pools are tried by name.
  s.createPool("z-lonely", {"198.51.100.0/28"});
  s.createAdvertisement("only-p", {{"ipAddressPools", {"p"}}});
  Controller& c = s.startController();
  ASSERT_TRUE(c.waitReady());
  s.createService("a");
  s.createService("b", {.families = {"IPv6"}, .familyPolicy = "SingleStack"});
  ASSERT_FALSE(s.waitAnyIps("a").empty());
  ASSERT_FALSE(s.waitAnyIps("b").empty());
  EXPECT_TRUE(eventually([&] {
    auto pool = cluster().get(k8s::resources::kIPAddressPools, s.ns(), "p");
    return pool && (*pool)["status"] == Json{{"assignedIPv4", 1},
                                             {"assignedIPv6", 1},
                                             {"availableIPv4", 15},
                                             {"availableIPv6", 255}};
  })) << cluster().get(k8s::resources::kIPAddressPools, s.ns(), "p")->dump();
  EXPECT_TRUE(eventually([&] {
    return c.metric("metallb_allocator_addresses_in_use_total{pool=\"p\"}") == 2.0 &&
           c.metric("metallb_allocator_ipv4_addresses_in_use_total{pool=\"p\"}") == 1.0 &&
           c.metric("metallb_allocator_ipv6_addresses_in_use_total{pool=\"p\"}") == 1.0 &&
           c.metric("metallb_allocator_addresses_total{pool=\"p\"}") == 272.0 &&
           c.metric("metallb_allocator_ipv4_addresses_total{pool=\"z-lonely\"}") == 16.0 &&
           c.metric("metallb_allocator_services_allocated_total{pool=\"p\"}") == 2.0 &&
           c.metric("metallb_allocator_services_allocated_total{pool=\"z-lonely\"}") == 0.0;
  })) << c.metrics();
  // A pool no advertisement selects: warned once, as an event on the pool and in the log.
  EXPECT_TRUE(s.waitEvent("z-lonely", "Warning/ConfigWarning", "IPAddressPool"));
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kIPAddressPools, s.ns(), "p",
                                   {{"metadata", {{"labels", {{"touched", "yes"}}}}}}));
  // Marker: another unadvertised pool, created after the edit, is warned about, so the
  // configuration has been rebuilt since.
  ASSERT_TRUE(s.createPool("z-marker", {"203.0.113.0/28"}));
  EXPECT_TRUE(s.waitEvent("z-marker", "Warning/ConfigWarning", "IPAddressPool"));
  int warned = 0;
  for (const auto& e : s.events("z-lonely", "IPAddressPool"))
    warned +=
        e.find("no L2Advertisement or BGPAdvertisement selects this pool") != std::string::npos;
  EXPECT_EQ(warned, 1) << "not repeated on every rebuild";
  auto health = httpGet(c.port(), "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->first, 200);
}

}  // namespace
}  // namespace ironlb::controller::it
