// ServiceReconciler: decisions and events for Services through their life (docs/services.md,
// docs/allocation-rules.md).
#include "controller/reconciler/service_reconciler.h"

#include <gtest/gtest.h>

#include "service_builder.h"

namespace ironlb::reconciler {
namespace {

using testing::ip;
using testing::pool;
using testing::Svc;

std::vector<std::string> reasons(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& e : d.events)
    out.push_back(e.reason);
  return out;
}

using Reasons = std::vector<std::string>;

class ReconcilerTest : public ::testing::Test {
 protected:
  void pools(std::vector<lbconfig::Pool> p) { ASSERT_TRUE(r_.setPools(std::move(p)).ok()); }
  Decision run(const api::Service& s) {
    return r_.reconcile(s.meta.ns + "/" + s.meta.name, &s, {});
  }
  // Reconciles and returns the Service as the API would show it after the write.
  api::Service settle(api::Service s) {
    const Decision d = run(s);
    s.status.ingress.clear();
    for (const auto& a : d.desired.ips)
      s.status.ingress.push_back({a.toString(), "", std::nullopt});
    return s;
  }

  ServiceReconciler r_;
};

TEST_F(ReconcilerTest, AllocatesOnceThenKeeps) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = Svc("ns", "web");
  Decision d = run(s);
  EXPECT_TRUE(d.manage);
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("192.0.2.0")}, "p"}));
  ASSERT_EQ(reasons(d), Reasons{"IPAllocated"});
  EXPECT_EQ(d.events[0].type, EventType::kNormal);
  EXPECT_EQ(d.events[0].message, "Assigned IP [\"192.0.2.0\"] from pool p");
  EXPECT_EQ(d.touchedPools, std::vector<std::string>{"p"});
  EXPECT_FALSE(d.pending);

  s.status.ingress = {{"192.0.2.0", "", std::nullopt}};
  d = run(s);
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("192.0.2.0")}, "p"}));
  EXPECT_TRUE(d.events.empty());
  EXPECT_TRUE(d.touchedPools.empty());
}

TEST_F(ReconcilerTest, OtherClassIsNeverTouched) {
  pools({pool("p", {"192.0.2.0/30"})});
  const Decision d = run(Svc("ns", "s").cls("other").status({"198.51.100.1"}));
  EXPECT_FALSE(d.manage);
  EXPECT_TRUE(d.events.empty());
  EXPECT_EQ(r_.allocator().serviceCount(), 0u);
}

TEST_F(ReconcilerTest, ClassConfiguredHandlesOnlyThatClass) {
  ServiceReconciler r("x");
  ASSERT_TRUE(r.setPools({pool("p", {"192.0.2.0/30"})}).ok());
  api::Service mine = Svc("ns", "a").cls("x");
  api::Service classless = Svc("ns", "b");
  EXPECT_TRUE(r.reconcile("ns/a", &mine, {}).manage);
  EXPECT_FALSE(r.reconcile("ns/b", &classless, {}).manage);
  EXPECT_EQ(r.allocator().serviceCount(), 1u);
}

TEST_F(ReconcilerTest, TypeChangeAndDeletionRelease) {
  pools({pool("p", {"192.0.2.0/32"})});
  api::Service a = settle(Svc("ns", "a"));
  api::Service b = Svc("ns", "b");
  Decision d = run(b);
  EXPECT_TRUE(d.pending);
  EXPECT_EQ(reasons(d), Reasons{"AllocationFailed"});
  EXPECT_EQ(d.events[0].type, EventType::kWarning);
  EXPECT_TRUE(d.desired.ips.empty());

  // No longer a LoadBalancer: manage (drop our annotation), release, say nothing.
  api::Service clusterIp = Svc("ns", "a").type("ClusterIP");
  d = run(clusterIp);
  EXPECT_TRUE(d.manage);
  EXPECT_TRUE(d.desired.ips.empty());
  EXPECT_EQ(d.desired.pool, "");
  EXPECT_TRUE(d.freedIps);
  EXPECT_TRUE(d.events.empty());
  EXPECT_EQ(d.touchedPools, std::vector<std::string>{"p"});

  // The pending Service gets the freed IP.
  d = run(b);
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("192.0.2.0")}, "p"}));
  EXPECT_EQ(reasons(d), Reasons{"IPAllocated"});

  // Deletion of the holder frees it again.
  d = r_.reconcile("ns/b", nullptr, {});
  EXPECT_FALSE(d.manage);
  EXPECT_TRUE(d.freedIps);
  EXPECT_EQ(r_.allocator().serviceCount(), 0u);
}

TEST_F(ReconcilerTest, FailureReportedOncePerDistinctMessage) {
  pools({pool("p", {"192.0.2.0/32"})});
  settle(Svc("ns", "a"));
  api::Service b = Svc("ns", "b");
  EXPECT_EQ(reasons(run(b)), Reasons{"AllocationFailed"});
  EXPECT_TRUE(run(b).events.empty()) << "retry sweeps must not repeat the warning";
  EXPECT_TRUE(run(b).pending);
  // A different failure is news.
  b = Svc("ns", "b").annotate("metallb.io/address-pool", "missing");
  EXPECT_EQ(reasons(run(b)), Reasons{"AllocationFailed"});
}

TEST_F(ReconcilerTest, RestoreBeforeAllocateNeverMovesAnIp) {
  pools({pool("p", {"192.0.2.0/30"})});
  // Status shows the third address; a fresh Service must not take it.
  api::Service old = Svc("ns", "old").status({"192.0.2.2"});
  ASSERT_TRUE(r_.restore(old, {}).ok());
  Decision d = run(Svc("ns", "new"));
  EXPECT_EQ(d.desired.ips, std::vector{ip("192.0.2.0")});
  d = run(old);
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("192.0.2.2")}, "p"}));
  EXPECT_TRUE(d.events.empty()) << "a restored IP is no news";
}

TEST_F(ReconcilerTest, RestoreFailureClearsAndReallocates) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = Svc("ns", "s").status({"203.0.113.9"});
  auto st = r_.restore(s, {});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("203.0.113.9"), std::string::npos) << st.error();
  const Decision d = run(s);
  EXPECT_EQ(reasons(d), (Reasons{"ClearAssignment", "IPAllocated"}));
  EXPECT_NE(d.events[0].message.find("203.0.113.9"), std::string::npos) << d.events[0].message;
  EXPECT_EQ(d.desired.ips, std::vector{ip("192.0.2.0")});
}

TEST_F(ReconcilerTest, RestoreOfDuplicateKeepsTheFirst) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service a = Svc("ns", "a").status({"192.0.2.1"});
  api::Service b = Svc("ns", "b").status({"192.0.2.1"});
  ASSERT_TRUE(r_.restore(a, {}).ok());
  EXPECT_FALSE(r_.restore(b, {}).ok());
  EXPECT_TRUE(run(a).events.empty());
  const Decision d = run(b);
  EXPECT_EQ(reasons(d), (Reasons{"ClearAssignment", "IPAllocated"}));
  EXPECT_NE(d.desired.ips, std::vector{ip("192.0.2.1")});
}

TEST_F(ReconcilerTest, SteadyStateAdoptsAValidStatus) {
  // A Service whose status gained IPs we do not hold (another leader's late write) keeps them.
  pools({pool("p", {"192.0.2.0/30"})});
  const Decision d = run(Svc("ns", "s").status({"192.0.2.3"}));
  EXPECT_EQ(d.desired.ips, std::vector{ip("192.0.2.3")});
  EXPECT_TRUE(d.events.empty());
}

TEST_F(ReconcilerTest, AvoidBuggyIpsTurnedOnClearsAndReallocates) {
  pools({pool("p", {"192.0.2.0/24"})});
  api::Service s = settle(Svc("ns", "s"));
  ASSERT_EQ(s.status.ingress[0].ip, "192.0.2.0");
  lbconfig::Pool edited = pool("p", {"192.0.2.0/24"});
  edited.avoidBuggyIps = true;
  auto change = r_.setPools({edited});
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(change->cleared, std::vector<std::string>{"ns/s"});
  const Decision d = run(s);  // status still shows .0 until the write lands
  ASSERT_EQ(reasons(d), (Reasons{"ClearAssignment", "IPAllocated"}));
  EXPECT_NE(d.events[0].message.find("192.0.2.0"), std::string::npos) << d.events[0].message;
  EXPECT_EQ(d.desired.ips, std::vector{ip("192.0.2.1")});
}

TEST_F(ReconcilerTest, PoolRemovalClearsStatus) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = settle(Svc("ns", "s"));
  auto change = r_.setPools({});
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(change->cleared.size(), 1u);
  const Decision d = run(s);
  EXPECT_TRUE(d.manage);
  EXPECT_TRUE(d.desired.ips.empty());
  EXPECT_EQ(d.desired.pool, "");
  EXPECT_TRUE(d.pending);
  EXPECT_EQ(reasons(d), (Reasons{"ClearAssignment", "AllocationFailed"}));
}

TEST_F(ReconcilerTest, RequestedPoolOrIpChangeClearsAndReallocates) {
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"})});
  api::Service s = settle(Svc("ns", "s"));
  ASSERT_EQ(s.status.ingress[0].ip, "192.0.2.0");
  s.meta.annotations["metallb.io/address-pool"] = "b";
  Decision d = run(s);
  EXPECT_EQ(reasons(d), (Reasons{"ClearAssignment", "IPAllocated"}));
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("198.51.100.0")}, "b"}));
  EXPECT_EQ(d.touchedPools, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(d.freedIps);

  s.status.ingress = {{"198.51.100.0", "", std::nullopt}};
  s.meta.annotations.erase("metallb.io/address-pool");
  s.meta.annotations["metallb.io/loadBalancerIPs"] = "192.0.2.3";
  d = run(s);
  EXPECT_EQ(reasons(d), (Reasons{"ClearAssignment", "IPAllocated"}));
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("192.0.2.3")}, "a"}));
}

TEST_F(ReconcilerTest, RequestedIpHeldElsewhereFails) {
  pools({pool("p", {"192.0.2.0/30"})});
  settle(Svc("ns", "a"));
  const Decision d = run(Svc("ns", "b").annotate("metallb.io/loadBalancerIPs", "192.0.2.0"));
  EXPECT_TRUE(d.pending);
  EXPECT_EQ(reasons(d), Reasons{"AllocationFailed"});
  EXPECT_TRUE(d.desired.ips.empty());
}

TEST_F(ReconcilerTest, UnreadableRequestKeepsHeldIps) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = settle(Svc("ns", "s"));
  s.meta.annotations["metallb.io/loadBalancerIPs"] = "192.0.2.1";
  s.spec.loadBalancerIp = "192.0.2.2";
  const Decision d = run(s);
  // MetalLB's reason for a bad request from a Service that keeps its IPs.
  ASSERT_EQ(reasons(d), Reasons{"LoadBalancerFailed"});
  EXPECT_EQ(d.events[0].type, EventType::kWarning);
  EXPECT_EQ(d.events[0].message.rfind("invalid requested loadbalancer IPs: ", 0), 0u)
      << d.events[0].message;
  EXPECT_NE(d.events[0].message.find("spec.loadBalancerIP"), std::string::npos);
  EXPECT_EQ(d.desired.ips, std::vector{ip("192.0.2.0")}) << "a typo never drops an IP in use";
  EXPECT_FALSE(d.pending);
  EXPECT_FALSE(d.freedIps);
}

TEST_F(ReconcilerTest, UnusableRequestedIpIsRefusedWithTheReason) {
  // Even from a pool that spans it (a fixture pool is not split the way lbconfig splits one).
  pools({pool("all", {"0.0.0.0/0"})});
  Decision d = run(Svc("ns", "lo").annotate("metallb.io/loadBalancerIPs", "127.0.0.1"));
  EXPECT_TRUE(d.pending);
  EXPECT_TRUE(d.desired.ips.empty());
  ASSERT_EQ(reasons(d), Reasons{"AllocationFailed"});
  EXPECT_EQ(d.events[0].type, EventType::kWarning);
  EXPECT_EQ(d.events[0].message,
            "Failed to allocate IP for \"ns/lo\": annotation metallb.io/loadBalancerIPs: "
            "\"127.0.0.1\": 127.0.0.1 is a loopback address (127.0.0.0/8), which no host can use "
            "as a Service address");
  // A Service that holds an IP and then asks for an unusable one keeps what it holds.
  api::Service held = settle(Svc("ns", "held").lbIp("192.0.2.7"));
  ASSERT_EQ(held.status.ingress.size(), 1u);
  held.spec.loadBalancerIp = "224.0.0.1";
  d = run(held);
  ASSERT_EQ(reasons(d), Reasons{"LoadBalancerFailed"});
  EXPECT_NE(d.events[0].message.find("224.0.0.1 is a multicast address"), std::string::npos);
  EXPECT_EQ(d.desired.ips, std::vector{ip("192.0.2.7")});
  EXPECT_FALSE(d.freedIps);
}

TEST_F(ReconcilerTest, DeprecatedAnnotationWarnedOncePerAnnotation) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = Svc("ns", "s").annotate("metallb.universe.tf/address-pool", "p");
  Decision d = run(s);
  ASSERT_EQ(reasons(d), (Reasons{"deprecatedAnnotation", "IPAllocated"}));
  EXPECT_EQ(d.events[0].type, EventType::kWarning);
  EXPECT_EQ(d.events[0].message,
            "Service uses deprecated annotation metallb.universe.tf/address-pool; use "
            "metallb.io/address-pool instead");
  EXPECT_EQ(d.desired.pool, "p") << "and it is honoured";
  s = settle(s);
  EXPECT_TRUE(run(s).events.empty());
  s.meta.annotations["metallb.universe.tf/allow-shared-ip"] = "k";
  EXPECT_EQ(reasons(run(s)), Reasons{"deprecatedAnnotation"});
}

TEST_F(ReconcilerTest, ConflictingAnnotationsWarnedOncePerChange) {
  pools({pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30"})});
  api::Service s = Svc("ns", "s")
                       .annotate("metallb.io/address-pool", "a")
                       .annotate("metallb.universe.tf/address-pool", "b");
  Decision d = run(s);
  ASSERT_EQ(reasons(d), (Reasons{"deprecatedAnnotation", "conflictingAnnotation", "IPAllocated"}));
  EXPECT_EQ(d.events[1].type, EventType::kWarning);
  EXPECT_EQ(
      d.events[1].message,
      "Service sets metallb.io/address-pool=\"a\" and metallb.universe.tf/address-pool=\"b\"; "
      "using metallb.io/address-pool=\"a\" (remove metallb.universe.tf/address-pool)");
  EXPECT_EQ(d.desired.pool, "a") << "the preferred prefix applies";

  // Resyncs and unrelated changes repeat nothing.
  s = settle(s);
  EXPECT_TRUE(run(s).events.empty());
  s.meta.labels["touched"] = "yes";
  EXPECT_TRUE(run(s).events.empty());

  // A changed conflict is reported again, naming the new value.
  s.meta.annotations["metallb.universe.tf/address-pool"] = "c";
  d = run(s);
  ASSERT_EQ(reasons(d), Reasons{"conflictingAnnotation"});
  EXPECT_NE(d.events[0].message.find("metallb.universe.tf/address-pool=\"c\""), std::string::npos)
      << d.events[0].message;
  EXPECT_TRUE(run(s).events.empty());

  // Values that agree are no conflict; a conflict that comes back is a change.
  s.meta.annotations["metallb.universe.tf/address-pool"] = "a";
  EXPECT_TRUE(run(s).events.empty());
  s.meta.annotations["metallb.universe.tf/address-pool"] = "b";
  EXPECT_EQ(reasons(run(s)), Reasons{"conflictingAnnotation"});

  // A second annotation in conflict adds one event for it alone.
  s.meta.annotations["metallb.io/allow-shared-ip"] = "k";
  s.meta.annotations["metallb.universe.tf/allow-shared-ip"] = "other";
  d = run(s);
  ASSERT_EQ(reasons(d), (Reasons{"deprecatedAnnotation", "conflictingAnnotation"}));
  EXPECT_NE(d.events[1].message.find("allow-shared-ip"), std::string::npos) << d.events[1].message;
}

TEST_F(ReconcilerTest, SharingKeyAndPorts) {
  pools({pool("p", {"192.0.2.0/30"})});
  auto shared = [](const char* name, int port) {
    return Svc("ns", name).annotate("metallb.io/allow-shared-ip", "k").ports({{"p", "TCP", port}});
  };
  EXPECT_EQ(run(shared("a", 80)).desired.ips, std::vector{ip("192.0.2.0")});
  EXPECT_EQ(run(shared("b", 443)).desired.ips, std::vector{ip("192.0.2.0")})
      << "same key, other port: shares";
  EXPECT_EQ(run(shared("c", 80)).desired.ips, std::vector{ip("192.0.2.1")})
      << "same key, same port: cannot share";
  EXPECT_EQ(run(Svc("ns", "d").ports({{"p", "TCP", 8080}})).desired.ips,
            std::vector{ip("192.0.2.2")})
      << "no key: never shares";
  // Local Services share only with the same selector (backend key).
  auto local = [](const char* name, int port, const char* app) {
    return Svc("ns", name)
        .annotate("metallb.io/allow-shared-ip", "L")
        .ports({{"p", "TCP", port}})
        .local({{"app", app}});
  };
  EXPECT_EQ(run(local("e", 80, "x")).desired.ips, std::vector{ip("192.0.2.3")});
  EXPECT_TRUE(run(local("f", 81, "y")).pending) << "other backend key, pool full";
  EXPECT_EQ(run(local("g", 82, "x")).desired.ips, std::vector{ip("192.0.2.3")});
}

TEST_F(ReconcilerTest, DualStack) {
  pools({pool("p", {"192.0.2.0/30", "2001:db8::/126"})});
  Decision d = run(Svc("ns", "rds")
                       .families({net::Family::kV6, net::Family::kV4})
                       .policy(api::IpFamilyPolicy::kRequireDualStack));
  EXPECT_EQ(d.desired.ips, (std::vector{ip("2001:db8::"), ip("192.0.2.0")}))
      << "family order, primary first";
  d = run(Svc("ns", "v6").families({net::Family::kV6}));
  EXPECT_EQ(d.desired.ips, std::vector{ip("2001:db8::1")});
}

TEST_F(ReconcilerTest, PreferDualStackGainsTheSecondFamilyLater) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = settle(Svc("ns", "s")
                              .families({net::Family::kV4, net::Family::kV6})
                              .policy(api::IpFamilyPolicy::kPreferDualStack));
  ASSERT_EQ(s.status.ingress.size(), 1u);
  ASSERT_TRUE(r_.setPools({pool("p", {"192.0.2.0/30", "2001:db8::/126"})}).ok());
  const Decision d = run(s);
  EXPECT_EQ(d.desired.ips, (std::vector{ip("192.0.2.0"), ip("2001:db8::")}));
  ASSERT_EQ(reasons(d), Reasons{"IPAllocated"});
  EXPECT_EQ(d.events[0].message, "Assigned additional IP [\"2001:db8::\"] from pool p");
}

// MetalLB's Normal AdditionalAssignFailed: PreferDualStack holds one family, its pool has no
// free address of the other. Once per distinct message, not on every reconcile; gone when the
// second family comes.
TEST_F(ReconcilerTest, PreferDualStackWithoutSecondFamilyReportsAdditionalAssignFailed) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = Svc("ns", "s")
                       .families({net::Family::kV4, net::Family::kV6})
                       .policy(api::IpFamilyPolicy::kPreferDualStack);
  Decision d = run(s);
  ASSERT_EQ(reasons(d), (Reasons{"IPAllocated", "AdditionalAssignFailed"}));
  EXPECT_EQ(d.events[1].type, EventType::kNormal);
  EXPECT_EQ(d.events[1].message,
            "cannot assign additional IP in PreferDualStack: pool p has no free IPv6 address");
  s.status.ingress = {{"192.0.2.0", "", std::nullopt}};
  EXPECT_TRUE(reasons(run(s)).empty()) << "reported once";
  ASSERT_TRUE(r_.setPools({pool("p", {"192.0.2.0/30", "2001:db8::/126"})}).ok());
  EXPECT_EQ(reasons(run(s)), Reasons{"IPAllocated"});
}

TEST_F(ReconcilerTest, RequireDualStackWithoutSecondFamilyFails) {
  pools({pool("p", {"192.0.2.0/30", "2001:db8::/126"})});
  const Decision d = run(Svc("ns", "s").policy(api::IpFamilyPolicy::kRequireDualStack));
  EXPECT_TRUE(d.pending);
  EXPECT_EQ(reasons(d), Reasons{"AllocationFailed"});
}

TEST_F(ReconcilerTest, UndescribableServiceReleasesAndFails) {
  pools({pool("p", {"192.0.2.0/30"})});
  api::Service s = settle(Svc("ns", "s"));
  s.spec.ipFamilies.clear();
  const Decision d = run(s);
  EXPECT_EQ(reasons(d), (Reasons{"ClearAssignment", "AllocationFailed"}));
  EXPECT_TRUE(d.freedIps);
  EXPECT_TRUE(d.desired.ips.empty());
}

TEST_F(ReconcilerTest, RepooledServicesAreListed) {
  pools({pool("old", {"192.0.2.0/30"})});
  settle(Svc("ns", "s"));
  auto change = r_.setPools({pool("new", {"192.0.2.0/30"})});
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(change->repooled, std::vector<std::string>{"ns/s"});
  const Decision d = run(Svc("ns", "s").status({"192.0.2.0"}));
  EXPECT_EQ(d.desired, (DesiredStatus{{ip("192.0.2.0")}, "new"})) << "annotation follows";
  EXPECT_TRUE(d.events.empty());
}

}  // namespace
}  // namespace ironlb::reconciler

namespace ironlb::reconciler {
namespace {

// Hold-back (docs/allocation.md): an edit that makes a Service give up its IP keeps the IP from
// other Services for the period; undoing the edit restores it; deletion frees at once.
class HoldBackReconcilerTest : public ::testing::Test {
 protected:
  HoldBackReconcilerTest() {
    r_.setHoldBack(std::chrono::minutes(5));
    r_.advanceTo(clock_.now());
  }
  void pools(std::vector<lbconfig::Pool> p) { ASSERT_TRUE(r_.setPools(std::move(p)).ok()); }
  Decision run(const api::Service& s) {
    return r_.reconcile(s.meta.ns + "/" + s.meta.name, &s, {});
  }
  util::ManualClock clock_;
  ServiceReconciler r_;
};

TEST_F(HoldBackReconcilerTest, TypeChangeUndoneRestoresTheIpAndThePendingServiceWaits) {
  pools({pool("p", {"192.0.2.0/32"})});
  ASSERT_EQ(run(Svc("ns", "a")).desired, (DesiredStatus{{ip("192.0.2.0")}, "p"}));
  EXPECT_TRUE(run(Svc("ns", "b")).pending);
  EXPECT_TRUE(run(Svc("ns", "a").type("ClusterIP")).desired.ips.empty());
  EXPECT_TRUE(run(Svc("ns", "b")).pending) << "held back for ns/a";
  EXPECT_EQ(run(Svc("ns", "a")).desired, (DesiredStatus{{ip("192.0.2.0")}, "p"}));
}

TEST_F(HoldBackReconcilerTest, AnEditedAwayIpIsSaidToBeHeldAndFreedWhenThePeriodEnds) {
  pools({pool("a", {"192.0.2.0/32"}), pool("b", {"198.51.100.0/30"})});
  ASSERT_EQ(run(Svc("ns", "s")).desired.ips, std::vector<net::IpAddress>{ip("192.0.2.0")});
  Decision d = run(Svc("ns", "s").annotate("metallb.io/address-pool", "b"));
  ASSERT_EQ(reasons(d), (Reasons{"ClearAssignment", "IPAllocated"}));
  EXPECT_EQ(d.events[0].message,
            "Cleared IP [\"192.0.2.0\"]: the Service now requests pool \"b\" instead of \"a\"; "
            "held back for this Service for 300 s: undo the change to get the same IP back");
  EXPECT_EQ(run(Svc("ns", "x").annotate("metallb.io/address-pool", "a")).pending, true);
  clock_.advance(std::chrono::minutes(5));
  std::vector<std::string> touched;
  EXPECT_TRUE(r_.advanceTo(clock_.now(), &touched));
  EXPECT_EQ(touched, std::vector<std::string>{"a"});
  EXPECT_EQ(run(Svc("ns", "x").annotate("metallb.io/address-pool", "a")).desired.ips,
            std::vector<net::IpAddress>{ip("192.0.2.0")});
}

TEST_F(HoldBackReconcilerTest, DeletionFreesAtOnce) {
  pools({pool("p", {"192.0.2.0/32"})});
  run(Svc("ns", "a"));
  EXPECT_TRUE(run(Svc("ns", "b")).pending);
  EXPECT_TRUE(r_.reconcile("ns/a", nullptr, {}).freedIps);
  EXPECT_EQ(run(Svc("ns", "b")).desired.ips, std::vector<net::IpAddress>{ip("192.0.2.0")});
}

TEST_F(HoldBackReconcilerTest, DeletionAfterAnEditFreesWhatTheEditHeldBack) {
  pools({pool("p", {"192.0.2.0/32"})});
  run(Svc("ns", "a"));
  EXPECT_TRUE(run(Svc("ns", "a").type("ClusterIP")).desired.ips.empty());
  EXPECT_TRUE(run(Svc("ns", "b")).pending) << "held back for ns/a";
  const Decision deleted = r_.reconcile("ns/a", nullptr, {});
  EXPECT_TRUE(deleted.freedIps);
  EXPECT_EQ(deleted.touchedPools, std::vector<std::string>{"p"});
  EXPECT_EQ(run(Svc("ns", "b")).desired.ips, std::vector<net::IpAddress>{ip("192.0.2.0")});
}

}  // namespace
}  // namespace ironlb::reconciler
