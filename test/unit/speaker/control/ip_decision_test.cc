#include "speaker/control/ip_decision.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "test/unit/speaker/control/cluster.h"

namespace ironlb::control {
namespace {

using namespace testing;  // NOLINT: the test cluster helpers
using Names = std::vector<std::string>;

const char* kExclude = "node.kubernetes.io/exclude-from-external-load-balancers";

// n1, n2 in zone a; n3, n4, n5 in zone b; n4 excluded by label; n5 NetworkUnavailable.
lbconfig::Snapshot clusterSnapshot() {
  lbconfig::Snapshot s;
  s.nodes = {node("n1", {{"zone", "a"}}), node("n2", {{"zone", "a"}}), node("n3", {{"zone", "b"}}),
             node("n4", {{"zone", "b"}, {kExclude, ""}}), node("n5", {{"zone", "b"}}, true)};
  s.pools = {pool("main", {"192.0.2.0/28", "2001:db8::/124"}),
             pool("zonea", {"198.51.100.0/28"}),
             pool("web", {"198.51.100.16/28"}),
             pool("lonely", {"203.0.113.0/28"}),
             pool("nowhere", {"203.0.113.32/28"}),
             pool("twoifs", {"203.0.113.16/28"})};
  s.l2Advertisements = {
      adv({.name = "main-all", .pools = {"main"}}),
      adv({.name = "zonea",
           .pools = {"zonea"},
           .nodeSelectors = {{{"zone", "a"}}},
           .interfaces = {"eth1"}}),
      adv({.name = "web", .pools = {"web"}, .serviceSelectors = {{{"app", "web"}}}}),
      adv({.name = "nowhere", .pools = {"nowhere"}, .nodeSelectors = {{{"zone", "c"}}}}),
      adv({.name = "twoifs-1",
           .pools = {"twoifs"},
           .nodeSelectors = {{{"zone", "a"}}},
           .interfaces = {"eth1"}}),
      adv({.name = "twoifs-2",
           .pools = {"twoifs"},
           .nodeSelectors = {{{"zone", "a"}}},
           .interfaces = {"eth2"}}),
  };
  return s;
}

Names intersect(const Names& a, const Names& b) {
  Names out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

struct Case {
  const char* name;
  const char* ip;
  std::vector<SvcSpec> services;
  Reason reason;
  Names eligible;
  Names live = {"n1", "n2", "n3", "n4", "n5"};
  const char* key = nullptr;                // default: the IP itself
  std::vector<Reason> serviceReasons = {};  // per Service in key order; empty: not checked
};

TEST(IpDecision, Table) {
  const lbconfig::Config config = build(clusterSnapshot());
  const Case cases[] = {
      {"cluster policy: selected nodes minus excluded and NetworkUnavailable",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"}},
      {"ipv6 likewise",
       "2001:db8::1",
       {{"ns/a", {"2001:db8::1"}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"}},
      {"only live speakers are candidates",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"},
       {"n2", "n5"}},
      {"no live eligible speaker",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}}},
       Reason::kNoLiveCandidate,
       {"n1", "n2", "n3"},
       {"n4", "n5"}},
      {"pool without advertisement",
       "203.0.113.1",
       {{"ns/a", {"203.0.113.1"}}},
       Reason::kNoAdvertisement,
       {}},
      {"IP in no pool", "203.0.113.200", {{"ns/a", {"203.0.113.200"}}}, Reason::kNotInPool, {}},
      {"no serving endpoint",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}, false}},
       Reason::kNoServingEndpoint,
       {}},
      {"nodeSelectors",
       "198.51.100.1",
       {{"ns/a", {"198.51.100.1"}}},
       Reason::kAnnounced,
       {"n1", "n2"}},
      {"nodeSelectors matching nothing",
       "203.0.113.33",
       {{"ns/a", {"203.0.113.33"}}},
       Reason::kNoEligibleNode,
       {}},
      {"serviceSelectors not matching",
       "198.51.100.17",
       {{"ns/a", {"198.51.100.17"}}},
       Reason::kNoAdvertisement,
       {}},
      {"serviceSelectors matching",
       "198.51.100.17",
       {{"ns/a", {"198.51.100.17"}, true, false, {}, {{"app", "web"}}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"}},
      {"Local: only nodes with a serving endpoint",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}, true, true, {"n3", "n4", "n9"}}},
       Reason::kAnnounced,
       {"n3"}},
      {"Local: endpoints only on nodes that may not announce",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}, true, true, {"n4", "n5"}}},
       Reason::kNoLocalEndpointNode,
       {}},
      {"Local: serving endpoints without a node name",
       "192.0.2.1",
       {{"ns/a", {"192.0.2.1"}, true, true, {}}},
       Reason::kNoLocalEndpointNode,
       {}},
      {"Local: endpoints outside the nodeSelectors",
       "198.51.100.1",
       {{"ns/a", {"198.51.100.1"}, true, true, {"n3"}}},
       Reason::kNoLocalEndpointNode,
       {}},
      {"shared IP: the owner suits both Services",
       "198.51.100.2",
       {{"ns/a", {"198.51.100.2"}}, {"ns/b", {"198.51.100.2"}, true, true, {"n2"}}},
       Reason::kAnnounced,
       {"n2"},
       {"n1", "n2", "n3"},
       nullptr,
       {Reason::kAnnounced, Reason::kAnnounced}},
      {"shared IP: no common node",
       "192.0.2.2",
       {{"ns/a", {"192.0.2.2"}, true, true, {"n1"}}, {"ns/b", {"192.0.2.2"}, true, true, {"n2"}}},
       Reason::kServicesDisagree,
       {}},
      {"shared IP: a Service without endpoints does not veto",
       "192.0.2.3",
       {{"ns/a", {"192.0.2.3"}, false}, {"ns/b", {"192.0.2.3"}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"},
       {"n1", "n2", "n3"},
       nullptr,
       {Reason::kNoServingEndpoint, Reason::kAnnounced}},
      {"shared IP, nobody takes part: the most advanced reason",
       "203.0.113.17",
       {{"ns/a", {"203.0.113.17"}, false}, {"ns/b", {"203.0.113.17"}, true, true, {"n3"}}},
       Reason::kNoLocalEndpointNode,
       {},
       {"n1", "n2", "n3"},
       nullptr,
       {Reason::kNoServingEndpoint, Reason::kNoLocalEndpointNode}},
      {"dual stack: both IPs keyed by the first",
       "192.0.2.4",
       {{"ns/a", {"2001:db8::4", "192.0.2.4"}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"},
       {"n1", "n2", "n3"},
       "2001:db8::4"},
      {"shared IP: key is the smallest first IP",
       "192.0.2.5",
       {{"ns/b", {"2001:db8::5", "192.0.2.5"}}, {"ns/a", {"192.0.2.5"}}},
       Reason::kAnnounced,
       {"n1", "n2", "n3"},
       {"n1", "n2", "n3"},
       "192.0.2.5"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<ServiceInput> inputs;
    for (const auto& s : c.services)
      inputs.push_back(svc(s));
    std::vector<const ServiceInput*> ptrs;
    for (const auto& s : inputs)
      ptrs.push_back(&s);
    CandidateCache cache;
    const IpDecision d = decide(ip(c.ip), ptrs, config, c.live, cache);
    EXPECT_EQ(d.ip, ip(c.ip));
    EXPECT_EQ(d.reason, c.reason) << reasonName(d.reason);
    const net::IpAddress key = ip(c.key ? c.key : c.ip);
    EXPECT_EQ(d.key, key);
    if (c.reason == Reason::kAnnounced || c.reason == Reason::kNoLiveCandidate) {
      EXPECT_EQ(d.eligible, c.eligible);
    }
    if (c.reason == Reason::kAnnounced) {
      // The reference: election::rank over the live eligible nodes, keyed by the key's text.
      const Names candidates = intersect(c.eligible, c.live);
      ASSERT_FALSE(candidates.empty());
      EXPECT_EQ(d.winner, election::rank(candidates, key).front());
      EXPECT_EQ(d.winnerScore, election::score(*d.winner, key.toString()));
    } else {
      EXPECT_FALSE(d.winner.has_value());
    }
    ASSERT_EQ(d.services.size(), c.services.size());
    EXPECT_TRUE(std::is_sorted(d.services.begin(), d.services.end(),
                               [](const auto& a, const auto& b) { return a.service < b.service; }));
    for (std::size_t i = 0; i < c.serviceReasons.size(); ++i)
      EXPECT_EQ(d.services[i].reason, c.serviceReasons[i]) << d.services[i].service;
  }
}

TEST(IpDecision, SharedIpLandsOnOneNodeWhateverTheOrder) {
  const lbconfig::Config config = build(clusterSnapshot());
  const ServiceInput a = svc({"ns/a", {"192.0.2.9"}});
  const ServiceInput b = svc({"ns/b", {"2001:db8::9", "192.0.2.9"}});
  const Names live = {"n1", "n2", "n3"};
  CandidateCache cache;
  const std::vector<const ServiceInput*> ab = {&a, &b}, ba = {&b, &a};
  const IpDecision d1 = decide(ip("192.0.2.9"), ab, config, live, cache);
  const IpDecision d2 = decide(ip("192.0.2.9"), ba, config, live, cache);
  EXPECT_TRUE(d1.sameOutcome(d2));
  ASSERT_TRUE(d1.winner.has_value());
}

TEST(IpDecision, IgnoreExcludeLabelOption) {
  lbconfig::BuildOptions options;
  options.ignoreExcludeLbLabel = true;
  auto r = lbconfig::build(clusterSnapshot(), options);
  ASSERT_TRUE(r.ok());
  const ServiceInput a = svc({"ns/a", {"192.0.2.1"}});
  const std::vector<const ServiceInput*> ptrs = {&a};
  CandidateCache cache;
  const IpDecision d = decide(ip("192.0.2.1"), ptrs, *r.config, {"n4"}, cache);
  EXPECT_EQ(d.eligible, (Names{"n1", "n2", "n3", "n4"}));
  EXPECT_EQ(d.winner, "n4");
}

TEST(IpDecision, InterfacesAreTheUnionOverAdvertisementsAndServices) {
  const lbconfig::Config config = build(clusterSnapshot());
  CandidateCache cache;
  const Names live = {"n1", "n2", "n3"};
  {
    const ServiceInput a = svc({"ns/a", {"203.0.113.17"}});
    const std::vector<const ServiceInput*> ptrs = {&a};
    const IpDecision d = decide(ip("203.0.113.17"), ptrs, config, live, cache);
    EXPECT_EQ(interfacesFor(d, ptrs, config, "n1"),
              (lbconfig::InterfaceSet{false, {"eth1", "eth2"}}));
    EXPECT_TRUE(interfacesFor(d, ptrs, config, "n3").none());
  }
  {
    const ServiceInput a = svc({"ns/a", {"198.51.100.3"}});
    const ServiceInput b = svc({"ns/b", {"198.51.100.3"}, false});  // takes no part
    const std::vector<const ServiceInput*> ptrs = {&a, &b};
    const IpDecision d = decide(ip("198.51.100.3"), ptrs, config, live, cache);
    EXPECT_EQ(interfacesFor(d, ptrs, config, "n2"), (lbconfig::InterfaceSet{false, {"eth1"}}));
  }
  {
    const ServiceInput a = svc({"ns/a", {"192.0.2.1"}});
    const std::vector<const ServiceInput*> ptrs = {&a};
    const IpDecision d = decide(ip("192.0.2.1"), ptrs, config, live, cache);
    EXPECT_TRUE(interfacesFor(d, ptrs, config, "n3").all);
  }
}

TEST(IpDecision, ReasonNamesAreDistinct) {
  std::set<std::string_view> names;
  for (int r = 0; r <= static_cast<int>(Reason::kAnnounced); ++r) {
    names.insert(reasonName(static_cast<Reason>(r)));
    EXPECT_FALSE(reasonText(static_cast<Reason>(r)).empty());
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(Reason::kAnnounced) + 1);
  EXPECT_TRUE(isConfigurationReason(Reason::kNoAdvertisement));
  EXPECT_FALSE(isConfigurationReason(Reason::kNoLiveCandidate));
}

}  // namespace
}  // namespace ironlb::control
