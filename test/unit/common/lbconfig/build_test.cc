#include "common/lbconfig/build.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "test/support/any_object.h"

namespace ironlb::lbconfig {
namespace {

constexpr const char* kNs = "metallb-system";

api::IPAddressPool poolObj(const std::string& name, std::vector<std::string> addresses,
                           const std::string& ns = kNs) {
  api::IPAddressPool p;
  p.meta.name = name;
  p.meta.ns = ns;
  p.spec.addresses = std::move(addresses);
  return p;
}

api::L2Advertisement advObj(const std::string& name, std::vector<std::string> pools = {},
                            const std::string& ns = kNs) {
  api::L2Advertisement a;
  a.meta.name = name;
  a.meta.ns = ns;
  a.spec.ipAddressPools = std::move(pools);
  return a;
}

api::LabelSelector matchLabels(api::StringMap m) {
  return api::LabelSelector{std::move(m), {}};
}

std::vector<std::string> strings(const std::vector<Issue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues)
    out.push_back(i.toString());
  return out;
}

// A snapshot with one advertisement for every pool, so "not announced" warnings stay out of
// the way of the rule under test.
Snapshot withAllPoolsAdvertised(std::vector<api::IPAddressPool> pools) {
  Snapshot s;
  s.pools = std::move(pools);
  s.l2Advertisements.push_back(advObj("all"));
  return s;
}

BuildResult buildDefault(const Snapshot& s) {
  return build(s, BuildOptions{});
}

TEST(BuildTest, EmptySnapshotIsAValidEmptyConfig) {
  const BuildResult r = buildDefault(Snapshot{});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(r.config->pools().empty());
  EXPECT_EQ(r.config->options().installNamespace, kNs);
}

TEST(BuildTest, ValidConfigurationCarriesEverythingOver) {
  Snapshot s;
  api::IPAddressPool first =
      poolObj("first", {"192.0.2.0/28", "2001:db8::/120", "198.51.100.7/32"});
  first.meta.labels = {{"env", "prod"}};
  first.spec.autoAssign = false;
  first.spec.avoidBuggyIps = true;
  first.spec.serviceAllocation = api::ServiceAllocation{
      10, {"team-a"}, {matchLabels({{"tier", "gold"}})}, {matchLabels({{"app", "web"}})}};
  s.pools.push_back(first);
  s.pools.push_back(poolObj("second", {"203.0.113.10-203.0.113.20"}));
  api::L2Advertisement bySelector = advObj("by-selector");
  bySelector.spec.ipAddressPoolSelectors = {matchLabels({{"env", "prod"}})};
  bySelector.spec.interfaces = {"eth1", "eth0"};
  bySelector.spec.nodeSelectors = {matchLabels({{"rack", "1"}})};
  s.l2Advertisements.push_back(bySelector);
  s.l2Advertisements.push_back(advObj("by-name", {"second"}));
  api::Namespace ns;
  ns.meta.name = "team-a";
  ns.meta.labels = {{"tier", "gold"}};
  s.namespaces.push_back(ns);
  api::Node n1;
  n1.meta.name = "n1";
  n1.meta.labels = {{"rack", "1"}};
  api::Node n2;
  n2.meta.name = "n2";
  n2.meta.labels = {{"rack", "2"},
                    {"node.kubernetes.io/exclude-from-external-load-balancers", "true"}};
  n2.conditions = {{"NetworkUnavailable", "True"}};
  s.nodes = {n1, n2};

  const BuildResult r = buildDefault(s);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(strings(r.errors));
  EXPECT_EQ(strings(r.warnings), std::vector<std::string>{});
  const Config& c = *r.config;

  const Pool* p = c.pool("first");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->ranges.size(), 3u);  // spec order kept
  EXPECT_EQ(p->ranges[0].text, "192.0.2.0/28");
  EXPECT_EQ(p->ranges[1].range.toString(), "2001:db8::-2001:db8::ff");
  EXPECT_EQ(p->ranges[2].range.toString(), "198.51.100.7-198.51.100.7");
  EXPECT_FALSE(p->autoAssign);
  EXPECT_TRUE(p->avoidBuggyIps);
  EXPECT_EQ(p->labels.at("env"), "prod");
  ASSERT_TRUE(p->serviceAllocation.has_value());
  EXPECT_EQ(p->serviceAllocation->priority, 10);
  EXPECT_EQ(p->serviceAllocation->namespaces, std::vector<std::string>{"team-a"});
  EXPECT_EQ(p->serviceAllocation->namespaceSelectors[0].toString(), "tier=gold");
  EXPECT_TRUE(c.admits(*p, "team-a", {{"app", "web"}}));
  EXPECT_FALSE(c.admits(*p, "team-a", {{"app", "db"}}));

  ASSERT_EQ(c.l2Advertisements().size(), 2u);  // sorted by name
  EXPECT_EQ(c.l2Advertisements()[0].name, "by-name");
  EXPECT_EQ(c.l2Advertisements()[0].pools, std::vector<std::string>{"second"});
  EXPECT_EQ(c.l2Advertisements()[1].pools, std::vector<std::string>{"first"});
  EXPECT_EQ(c.l2Advertisements()[1].interfaces, (std::vector<std::string>{"eth0", "eth1"}));

  EXPECT_EQ(c.namespaceLabels("team-a").at("tier"), "gold");
  ASSERT_NE(c.node("n2"), nullptr);
  EXPECT_TRUE(c.node("n2")->excludedFromLoadBalancers);
  EXPECT_TRUE(c.node("n2")->networkUnavailable);
  EXPECT_FALSE(c.node("n1")->excludedFromLoadBalancers);
  EXPECT_EQ(c.candidateNodes(c.advertisementsFor(*net::IpAddress::parse("192.0.2.3"), {})),
            std::vector<std::string>{"n1"});
}

TEST(BuildTest, AddressRules) {
  const std::string obj = "IPAddressPool metallb-system/p: ";
  const struct {
    std::vector<std::string> addresses;
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
  } cases[] = {
      {{"192.0.2.0/28"}, {}, {}},
      // Addresses no host can use are left out, with a warning naming them; an entry made only
      // of them is an error.
      {{"0.0.0.0/0"},
       {},
       {obj + "spec.addresses[0]: \"0.0.0.0/0\" includes addresses that no host can use as a "
              "Service address; they are never assigned: 0.0.0.0/8 (this network), 127.0.0.0/8 "
              "(loopback), 169.254.0.0/16 (link-local), 224.0.0.0/4 (multicast), "
              "255.255.255.255 (limited broadcast)"}},
      {{"::/0"},
       {},
       {obj + "spec.addresses[0]: \"::/0\" includes addresses that no host can use as a Service "
              "address; they are never assigned: :: (unspecified), ::1 (loopback), "
              "::ffff:0.0.0.0/96 (IPv4-mapped), fe80::/10 (link-local), ff00::/8 (multicast)"}},
      {{"192.0.2.0/24", "255.255.255.0-255.255.255.255"},
       {},
       {obj + "spec.addresses[1]: \"255.255.255.0-255.255.255.255\" includes addresses that no "
              "host can use as a Service address; they are never assigned: 255.255.255.255 "
              "(limited broadcast)"}},
      {{"127.0.0.0/8"},
       {obj + "spec.addresses[0]: \"127.0.0.0/8\" holds only addresses that no host can use as "
              "a Service address: 127.0.0.0/8 (loopback)"},
       {}},
      {{"192.0.2.0/24", "169.254.10.0-169.254.10.20", "ff02::1/128"},
       {obj + "spec.addresses[1]: \"169.254.10.0-169.254.10.20\" holds only addresses that no "
              "host can use as a Service address: 169.254.10.0-169.254.10.20 (link-local)",
        obj + "spec.addresses[2]: \"ff02::1/128\" holds only addresses that no host can use as a "
              "Service address: ff02::1 (multicast)"},
       {}},
      {{"::/127"},
       {obj + "spec.addresses[0]: \"::/127\" holds only addresses that no host can use as a "
              "Service address: :: (unspecified), ::1 (loopback)"},
       {}},
      {{"192.0.2.1/32"}, {}, {}},
      {{"2001:db8::1/128"}, {}, {}},
      {{" 192.0.2.10 - 192.0.2.20 "}, {}, {}},
      {{"192.0.2.0/28", "2001:db8::/120"}, {}, {}},                 // dual-stack pool
      {{"192.0.2.0-192.0.2.10", "192.0.2.11-192.0.2.20"}, {}, {}},  // touching
      {{"192.0.2.0/25", "192.0.2.128/25"}, {}, {}},
      {{},
       {obj + "spec.addresses: at least one address range is required (a CIDR such as "
              "192.0.2.0/28 or a range such as 192.0.2.10-192.0.2.20)"},
       {}},
      {{""},
       {obj + "spec.addresses[0]: empty address entry: expected a CIDR (192.0.2.0/24) or a "
              "range (192.0.2.10-192.0.2.20)"},
       {}},
      {{"192.0.2.0/28", "192.0.2.0/33"},
       {obj + "spec.addresses[1]: invalid CIDR \"192.0.2.0/33\": prefix length larger than 32"},
       {}},
      {{"192.0.2.130/28"},
       {},
       {obj + "spec.addresses[0]: \"192.0.2.130/28\" has host bits set; using 192.0.2.128/28 "
              "(192.0.2.128-192.0.2.143)"}},
      {{"192.0.2.20-192.0.2.10"},
       {obj + "spec.addresses[0]: range 192.0.2.20-192.0.2.10 is inverted: the first address is "
              "greater than the last"},
       {}},
      {{"192.0.2.1-2001:db8::1"},
       {obj + "spec.addresses[0]: range 192.0.2.1-2001:db8::1 mixes IPv4 and IPv6"},
       {}},
      {{"192.0.2.0/28", "192.0.2.0/28"},
       {obj + "spec.addresses[1]: \"192.0.2.0/28\" duplicates \"192.0.2.0/28\" at "
              "spec.addresses[0] of the same pool"},
       {}},
      {{"192.0.2.0-192.0.2.15", "192.0.2.0/28"},
       {obj + "spec.addresses[1]: \"192.0.2.0/28\" duplicates \"192.0.2.0-192.0.2.15\" at "
              "spec.addresses[0] of the same pool"},
       {}},
      {{"192.0.2.0/24", "198.51.100.0/24", "192.0.2.64/26"},
       {obj + "spec.addresses[2]: \"192.0.2.64/26\" overlaps \"192.0.2.0/24\" at "
              "spec.addresses[0] of the same pool (192.0.2.64-192.0.2.127 and "
              "192.0.2.0-192.0.2.255 share addresses)"},
       {}},
      {{"192.0.2.0-192.0.2.10", "192.0.2.10-192.0.2.20"},
       {obj + "spec.addresses[1]: \"192.0.2.10-192.0.2.20\" overlaps \"192.0.2.0-192.0.2.10\" at "
              "spec.addresses[0] of the same pool (192.0.2.10-192.0.2.20 and "
              "192.0.2.0-192.0.2.10 share addresses)"},
       {}},
      // Every bad entry is reported, not just the first.
      {{"x", "192.0.2.0/28", "y/1"},
       {obj + "spec.addresses[0]: invalid CIDR \"x\": missing '/<prefix length>'",
        obj + "spec.addresses[2]: invalid CIDR \"y/1\": invalid IP address \"y\": expected a "
              "decimal octet"},
       {}},
  };
  for (const auto& c : cases) {
    const BuildResult r = buildDefault(withAllPoolsAdvertised({poolObj("p", c.addresses)}));
    EXPECT_EQ(strings(r.errors), c.errors) << testing::PrintToString(c.addresses);
    EXPECT_EQ(strings(r.warnings), c.warnings) << testing::PrintToString(c.addresses);
    EXPECT_EQ(r.ok(), c.errors.empty());  // never a partial config
  }
}

TEST(BuildTest, UnusableAddressesAreLeftOutOfPools) {
  const BuildResult r = buildDefault(
      withAllPoolsAdvertised({poolObj("v4", {"0.0.0.0/0"}), poolObj("v6", {"fe80::/9"}),
                              poolObj("edge", {"10.0.0.0/8"})}));
  // Overlaps are judged on the entries as written: 10.0.0.0/8 is inside "0.0.0.0/0".
  ASSERT_EQ(r.errors.size(), 1u) << testing::PrintToString(strings(r.errors));
  EXPECT_NE(r.errors[0].message.find("\"0.0.0.0/0\" overlaps \"10.0.0.0/8\""), std::string::npos)
      << r.errors[0].message;
  const BuildResult ok = buildDefault(
      withAllPoolsAdvertised({poolObj("v4", {"0.0.0.0/1"}), poolObj("v6", {"fe80::/9"})}));
  ASSERT_TRUE(ok.ok()) << testing::PrintToString(strings(ok.errors));
  const Pool* v4 = ok.config->pool("v4");
  ASSERT_NE(v4, nullptr);
  EXPECT_EQ(
      v4->ranges,
      (std::vector<PoolRange>{{*net::IpRange::parse("1.0.0.0-126.255.255.255"), "0.0.0.0/1"}}));
  const Pool* v6 = ok.config->pool("v6");
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(
      v6->ranges,
      (std::vector<PoolRange>{
          {*net::IpRange::parse("fec0::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "fe80::/9"}}));
  for (const char* unusable : {"0.0.0.0", "0.1.2.3", "127.0.0.1", "fe80::1"}) {
    EXPECT_EQ(ok.config->poolContaining(*net::IpAddress::parse(unusable)), nullptr) << unusable;
  }
  EXPECT_EQ(ok.config->poolContaining(*net::IpAddress::parse("1.0.0.0")), v4);
}

TEST(BuildTest, OverlapAcrossPoolsNamesBothObjectsAndEntries) {
  const BuildResult r = buildDefault(withAllPoolsAdvertised(
      {poolObj("b", {"198.51.100.0/24", "192.0.2.16/28"}), poolObj("a", {"192.0.2.0/24"}),
       poolObj("c", {"192.0.2.255-192.0.3.5"}), poolObj("d", {"192.0.3.6/31"})}));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(strings(r.errors),
            (std::vector<std::string>{
                "IPAddressPool metallb-system/b: spec.addresses[1]: \"192.0.2.16/28\" overlaps "
                "\"192.0.2.0/24\" at spec.addresses[0] of IPAddressPool metallb-system/a "
                "(192.0.2.16-192.0.2.31 and 192.0.2.0-192.0.2.255 share addresses); reported on "
                "IPAddressPool metallb-system/b, the newer of the two",
                "IPAddressPool metallb-system/c: spec.addresses[0]: \"192.0.2.255-192.0.3.5\" "
                "overlaps \"192.0.2.0/24\" at spec.addresses[0] of IPAddressPool "
                "metallb-system/a (192.0.2.255-192.0.3.5 and 192.0.2.0-192.0.2.255 share "
                "addresses); reported on IPAddressPool metallb-system/c, the newer of the two",
            }));
}

TEST(BuildTest, OverlapIsReportedOnTheNewerPool) {
  // The pool applied last gets the error, whatever the names and address order say; the older
  // pool is named in it. Timestamps are as the API server writes them; a pool without one has
  // not been stored yet (the newest); pools created in the same second fall back to the name.
  const auto created = [](api::IPAddressPool p, std::optional<std::string> at) {
    p.meta.creationTimestamp = std::move(at);
    return p;
  };
  const std::string early = "2024-05-01T09:00:00Z";
  const std::string late = "2024-05-02T08:00:00Z";
  const struct {
    std::optional<std::string> existingAt;  // "zz-existing", 203.0.113.200/29
    std::optional<std::string> newAt;       // "aa-new", 203.0.113.0/24
    std::string reportedOn;
  } cases[] = {
      {early, late, "aa-new"},         {late, early, "zz-existing"},
      {early, std::nullopt, "aa-new"}, {std::nullopt, early, "zz-existing"},
      {early, early, "zz-existing"},  // same second: the name decides
  };
  for (const auto& c : cases) {
    const BuildResult r = buildDefault(
        withAllPoolsAdvertised({created(poolObj("zz-existing", {"203.0.113.200/29"}), c.existingAt),
                                created(poolObj("aa-new", {"203.0.113.0/24"}), c.newAt)}));
    ASSERT_EQ(r.errors.size(), 1u) << testing::PrintToString(strings(r.errors));
    const std::string other = c.reportedOn == "aa-new" ? "zz-existing" : "aa-new";
    EXPECT_EQ(r.errors[0].name, c.reportedOn);
    EXPECT_EQ(r.errors[0].path, "spec.addresses[0]");
    EXPECT_NE(r.errors[0].message.find("of IPAddressPool metallb-system/" + other + " ("),
              std::string::npos)
        << r.errors[0].message;
    EXPECT_NE(r.errors[0].message.find("; reported on IPAddressPool metallb-system/" +
                                       c.reportedOn + ", the newer of the two"),
              std::string::npos)
        << r.errors[0].message;
  }
  // The exact text for the case from the issue.
  const BuildResult r = buildDefault(
      withAllPoolsAdvertised({created(poolObj("zz-existing", {"203.0.113.200/29"}), early),
                              created(poolObj("aa-new", {"203.0.113.0/24"}), late)}));
  EXPECT_EQ(strings(r.errors),
            std::vector<std::string>{
                "IPAddressPool metallb-system/aa-new: spec.addresses[0]: \"203.0.113.0/24\" "
                "overlaps \"203.0.113.200/29\" at spec.addresses[0] of IPAddressPool "
                "metallb-system/zz-existing (203.0.113.0-203.0.113.255 and "
                "203.0.113.200-203.0.113.207 share addresses); reported on IPAddressPool "
                "metallb-system/aa-new, the newer of the two"});
}

TEST(BuildTest, PoolNames) {
  const struct {
    std::string name;
    const char* error;  // nullptr: valid
  } cases[] = {
      {"first-pool", nullptr},
      {"pool.v2", nullptr},
      {"", "IPAddressPool: metadata.name: a name is required"},
      {"Bad_Name",
       "IPAddressPool metallb-system/Bad_Name: metadata.name: invalid name \"Bad_Name\": a "
       "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
       "'.', and must start and end with an alphanumeric character"},
      {"p\xc3\xb6\xc3\xb6l",
       "IPAddressPool metallb-system/p\xc3\xb6\xc3\xb6l: metadata.name: invalid name "
       "\"p\xc3\xb6\xc3\xb6l\": a lowercase RFC 1123 subdomain must consist of lower case "
       "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
       "character"},
  };
  for (const auto& c : cases) {
    const BuildResult r = buildDefault(withAllPoolsAdvertised({poolObj(c.name, {"192.0.2.0/28"})}));
    if (c.error == nullptr) {
      EXPECT_TRUE(r.ok()) << c.name << ": " << testing::PrintToString(strings(r.errors));
    } else {
      EXPECT_EQ(strings(r.errors), std::vector<std::string>{c.error});
    }
  }

  // The same pool twice (a hand-assembled snapshot): one error, no overlap noise.
  const BuildResult dup = buildDefault(
      withAllPoolsAdvertised({poolObj("p", {"192.0.2.0/28"}), poolObj("p", {"192.0.2.0/28"})}));
  EXPECT_EQ(strings(dup.errors),
            std::vector<std::string>{"IPAddressPool metallb-system/p: metadata.name: "
                                     "IPAddressPool \"p\" is defined more than once"});
}

TEST(BuildTest, AnAdvertisementDefinedTwiceIsReportedOnce) {
  Snapshot s = withAllPoolsAdvertised({poolObj("p", {"192.0.2.0/28"})});
  s.l2Advertisements.push_back(advObj("all"));  // a second "all" (hand-assembled snapshot)
  EXPECT_EQ(strings(buildDefault(s).errors),
            std::vector<std::string>{"L2Advertisement metallb-system/all: metadata.name: "
                                     "L2Advertisement \"all\" is defined more than once"});
}

TEST(BuildTest, ServiceAllocationRules) {
  const std::string obj = "IPAddressPool metallb-system/p: spec.serviceAllocation.";
  const struct {
    api::ServiceAllocation allocation;
    std::vector<std::string> errors;
  } cases[] = {
      {api::ServiceAllocation{}, {}},
      {api::ServiceAllocation{0, {"team-a", "team-b"}, {}, {}}, {}},
      {api::ServiceAllocation{-1, {}, {}, {}},
       {obj + "priority: must be 0 or more (lower is preferred, 0 means no priority), got -1"}},
      {api::ServiceAllocation{0, {"team-a", "Team_B", "team-a"}, {}, {}},
       {obj + "namespaces[1]: invalid namespace name \"Team_B\": a lowercase RFC 1123 label "
              "must consist of lower case alphanumeric characters or '-', and must start and end "
              "with an alphanumeric character",
        obj + "namespaces[2]: duplicate namespace \"team-a\" (also at "
              "spec.serviceAllocation.namespaces[0])"}},
      {api::ServiceAllocation{0, {"a.b"}, {}, {}},
       {obj + "namespaces[0]: invalid namespace name \"a.b\": a lowercase RFC 1123 label must "
              "consist of lower case alphanumeric characters or '-', and must start and end with "
              "an alphanumeric character"}},
      {api::ServiceAllocation{
           0, {}, {matchLabels({{"tier", "gold"}}), matchLabels({{"tier", "gold"}})}, {}},
       {obj + "namespaceSelectors[1]: duplicate selector \"tier=gold\" (same as "
              "spec.serviceAllocation.namespaceSelectors[0])"}},
      {api::ServiceAllocation{0, {}, {}, {api::LabelSelector{{}, {{"app", "Equals", {"x"}}}}}},
       {obj + "serviceSelectors[0].matchExpressions[0].operator: \"Equals\" is not a valid "
              "selector operator (In, NotIn, Exists, DoesNotExist)"}},
  };
  for (const auto& c : cases) {
    api::IPAddressPool p = poolObj("p", {"192.0.2.0/28"});
    p.spec.serviceAllocation = c.allocation;
    const BuildResult r = buildDefault(withAllPoolsAdvertised({p}));
    EXPECT_EQ(strings(r.errors), c.errors);
  }
}

TEST(BuildTest, L2AdvertisementRules) {
  const std::string obj = "L2Advertisement metallb-system/l2: ";
  const struct {
    std::function<void(api::L2AdvertisementSpec&)> edit;
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
  } cases[] = {
      {[](auto&) {}, {}, {}},
      {[](auto& s) {
         s.ipAddressPools = {"p", "p"};
       },
       {obj + "spec.ipAddressPools[1]: duplicate pool \"p\" (also at spec.ipAddressPools[0])"},
       {}},
      // MetalLB skips unknown pool names; we do too, with a warning. The advertisement then
      // selects no pool, and "p" is not announced.
      {[](auto& s) { s.ipAddressPools = {"missing"}; },
       {},
       {"IPAddressPool metallb-system/p: no L2Advertisement or BGPAdvertisement selects this "
        "pool: no node announces the addresses Services get from it (list it in an "
        "advertisement's ipAddressPools, match it with ipAddressPoolSelectors, or create an "
        "L2Advertisement or BGPAdvertisement that names no pools)",
        obj + "spec.ipAddressPools[0]: IPAddressPool \"missing\" does not exist in namespace "
              "\"metallb-system\"; ignored until it is created (as MetalLB does)",
        obj + "spec: selects no IPAddressPool: nothing is announced through this advertisement"}},
      {[](auto& s) {
         s.interfaces = {"eth0", "eth0"};
       },
       {obj + "spec.interfaces[1]: duplicate interface \"eth0\" (also at spec.interfaces[0])"},
       {}},
      {[](auto& s) {
         s.interfaces = {"", "a-very-long-interface", "eth0:1", "eth 0", "."};
       },
       {obj + "spec.interfaces[0]: invalid interface \"\": interface name must not be empty",
        obj + "spec.interfaces[1]: invalid interface \"a-very-long-interface\": interface name "
              "must be no more than 15 characters (Linux IFNAMSIZ)",
        obj + "spec.interfaces[2]: invalid interface \"eth0:1\": interface name cannot contain "
              "'/' or ':'",
        obj + "spec.interfaces[3]: invalid interface \"eth 0\": interface name cannot contain "
              "whitespace",
        obj + "spec.interfaces[4]: invalid interface \".\": interface name cannot be \".\" or "
              "\"..\""},
       {}},
      {[](auto& s) {
         s.nodeSelectors = {matchLabels({{"rack", "1"}}), matchLabels({{"rack", "1"}})};
       },
       {obj + "spec.nodeSelectors[1]: duplicate selector \"rack=1\" (same as "
              "spec.nodeSelectors[0])"},
       {}},
      {[](auto& s) {
         s.serviceSelectors = {api::LabelSelector{{}, {{"a", "In", {}}}}};
       },
       {obj + "spec.serviceSelectors[0].matchExpressions[0].values: must be specified when "
              "operator is In (got an empty list)"},
       {}},
      {[](auto& s) {
         s.ipAddressPoolSelectors = {matchLabels({{"x y", "1"}})};
       },
       {obj + "spec.ipAddressPoolSelectors[0].matchLabels[\"x y\"]: invalid label key \"x y\": "
              "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
              "start and end with an alphanumeric character"},
       {}},
      {[](auto& s) {
         s.nodeSelectors = {matchLabels({{"rack", "9"}})};
       },
       {},
       {obj + "spec.nodeSelectors: matches no Node: no node announces the IPs of this "
              "advertisement"}},
  };
  for (const auto& c : cases) {
    Snapshot s;
    s.pools.push_back(poolObj("p", {"192.0.2.0/28"}));
    api::Node node;
    node.meta.name = "n1";
    node.meta.labels = {{"rack", "1"}};
    s.nodes.push_back(node);
    api::L2Advertisement a = advObj("l2");
    c.edit(a.spec);
    s.l2Advertisements.push_back(a);
    const BuildResult r = buildDefault(s);
    EXPECT_EQ(strings(r.errors), c.errors);
    EXPECT_EQ(strings(r.warnings), c.warnings);
  }
}

TEST(BuildTest, AdvertisementResolvesNamesUnionSelectorsOrEveryPool) {
  Snapshot s;
  for (const auto& [name, env, cidr] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"a", "prod", "192.0.2.0/28"},
           {"b", "dev", "192.0.2.16/28"},
           {"c", "prod", "192.0.2.32/28"},
           {"d", "", "192.0.2.48/28"}}) {
    api::IPAddressPool p = poolObj(name, {cidr});
    if (!env.empty()) p.meta.labels = {{"env", env}};
    s.pools.push_back(p);
  }
  api::L2Advertisement mixed = advObj("mixed", {"b"});
  mixed.spec.ipAddressPoolSelectors = {matchLabels({{"env", "prod"}})};
  s.l2Advertisements.push_back(mixed);
  s.l2Advertisements.push_back(advObj("everything"));
  const BuildResult r = buildDefault(s);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.warnings.empty()) << testing::PrintToString(strings(r.warnings));
  const auto& ads = r.config->l2Advertisements();
  EXPECT_EQ(ads[0].name, "everything");
  EXPECT_EQ(ads[0].pools, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(ads[1].pools, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(BuildTest, PoolWithoutAdvertisementIsReported) {
  Snapshot s;
  s.pools = {poolObj("announced", {"192.0.2.0/28"}), poolObj("silent", {"192.0.2.16/28"})};
  s.l2Advertisements = {advObj("l2", {"announced"})};
  const BuildResult r = buildDefault(s);
  ASSERT_TRUE(r.ok());  // a warning, not an error: MetalLB accepts it too
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].name, "silent");
  EXPECT_EQ(r.warnings[0].path, "");
  // Nothing is assigned when the configuration is built: the warning claims no assignment.
  EXPECT_EQ(r.warnings[0].message,
            "no L2Advertisement or BGPAdvertisement selects this pool: no node announces the "
            "addresses Services get from it (list it in an advertisement's ipAddressPools, match "
            "it with ipAddressPoolSelectors, or create an L2Advertisement or BGPAdvertisement "
            "that names no pools)");
  EXPECT_FALSE(r.config->isAdvertised("silent"));
}

TEST(BuildTest, InvalidPoolGetsItsErrorsNotTheAdvertisementWarning) {
  // An invalid pool serves nothing: its errors, and no "not announced" warning on top, whether
  // the error is its own or an overlap reported on it. The valid unadvertised pool still gets
  // the warning.
  Snapshot s;
  s.pools = {poolObj("announced", {"192.0.2.0/28"}), poolObj("bad", {"192.0.2.0/33"}),
             poolObj("overlapping", {"192.0.2.8/29"}), poolObj("silent", {"198.51.100.0/28"})};
  s.l2Advertisements = {advObj("l2", {"announced"})};
  const BuildResult r = buildDefault(s);
  ASSERT_EQ(r.errors.size(), 2u) << testing::PrintToString(strings(r.errors));
  EXPECT_EQ(r.errors[0].name, "bad");
  EXPECT_EQ(r.errors[1].name, "overlapping");
  ASSERT_EQ(r.warnings.size(), 1u) << testing::PrintToString(strings(r.warnings));
  EXPECT_EQ(r.warnings[0].name, "silent");
}

TEST(BuildTest, AvoidBuggyIPsLeavingNothingIsAWarning) {
  const struct {
    std::vector<std::string> addresses;
    bool warn;
  } cases[] = {
      {{"192.0.2.0/32"}, true},
      {{"192.0.2.255/32", "198.51.100.0/32"}, true},
      {{"192.0.2.255-192.0.3.0"}, true},
      {{"192.0.2.255-192.0.3.1"}, false},
      {{"192.0.2.0/31"}, false},
      {{"192.0.2.0/32", "2001:db8::/128"}, false},  // IPv6 is unaffected
  };
  for (const auto& c : cases) {
    api::IPAddressPool p = poolObj("p", c.addresses);
    p.spec.avoidBuggyIps = true;
    const BuildResult r = buildDefault(withAllPoolsAdvertised({p}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.warnings.size(), c.warn ? 1u : 0u) << testing::PrintToString(c.addresses);
    if (c.warn) {
      EXPECT_EQ(r.warnings[0].path, "spec.avoidBuggyIPs");
    }
    p.spec.avoidBuggyIps = false;
    EXPECT_TRUE(buildDefault(withAllPoolsAdvertised({p})).warnings.empty());
  }
}

TEST(BuildTest, ObjectsOutsideTheInstallNamespaceAreIgnored) {
  Snapshot s;
  s.pools = {poolObj("p", {"192.0.2.0/28"}),
             poolObj("stray", {"192.0.2.0/28", "nonsense"}, "default")};  // would be errors
  s.l2Advertisements = {advObj("l2"), advObj("stray-l2", {"p", "p"}, "kube-system")};
  const BuildResult r = buildDefault(s);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(strings(r.errors));
  EXPECT_EQ(strings(r.warnings),
            (std::vector<std::string>{
                "IPAddressPool default/stray: metadata.namespace: ignored: IPAddressPool objects "
                "are only read from namespace \"metallb-system\", where ironlb is installed",
                "L2Advertisement kube-system/stray-l2: metadata.namespace: ignored: "
                "L2Advertisement objects are only read from namespace \"metallb-system\", where "
                "ironlb is installed",
            }));
  EXPECT_EQ(r.config->pools().size(), 1u);
  EXPECT_EQ(r.config->l2Advertisements().size(), 1u);

  BuildOptions other;
  other.installNamespace = "default";
  const BuildResult r2 = build(s, other);
  EXPECT_FALSE(r2.ok());  // now "stray" is ours, and invalid
}

TEST(BuildTest, ErrorsAndWarningsDoNotDependOnInputOrder) {
  Snapshot s;
  s.pools = {poolObj("a", {"192.0.2.0/24", "bad"}),
             poolObj("b", {"192.0.2.128/25"}),
             poolObj("c", {"192.0.2.130/32", "198.51.100.1/24"}),
             poolObj("d", {"2001:db8::/64"}),
             poolObj("e", {"2001:db8::1-2001:db8::5"}),
             poolObj("x", {}, "other")};
  s.l2Advertisements = {advObj("l2-b", {"b", "zz"}), advObj("l2-a", {"a", "a"})};
  const BuildResult reference = buildDefault(s);
  ASSERT_FALSE(reference.ok());
  EXPECT_GE(reference.errors.size(), 4u);
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(s.pools.begin(), s.pools.end(), rng);
    std::shuffle(s.l2Advertisements.begin(), s.l2Advertisements.end(), rng);
    const BuildResult r = buildDefault(s);
    EXPECT_EQ(r.errors, reference.errors);
    EXPECT_EQ(r.warnings, reference.warnings);
  }
}

TEST(BuildTest, TenThousandEntriesBuildQuickly) {
  // One pool of 10,000 disjoint /32s, and 10,000 pools of one entry each: both are a sort and
  // a sweep. (No timing assertion: the ctest timeout catches a quadratic regression, and the
  // test prints nothing machine-dependent.)
  std::vector<std::string> entries;
  for (uint32_t i = 0; i < 10000; ++i) {
    entries.push_back(net::IpAddress::v4(0x0a000000u + i * 2).toString() + "/32");
  }
  const BuildResult one = buildDefault(withAllPoolsAdvertised({poolObj("big", entries)}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.config->pool("big")->ranges.size(), 10000u);

  std::vector<api::IPAddressPool> pools;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    pools.push_back(poolObj("p" + std::to_string(i), {entries[i]}));
  }
  const BuildResult many = buildDefault(withAllPoolsAdvertised(pools));
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many.config->pools().size(), 10000u);
  // 10.0.39.16 is 10.0.0.0 + 2 * 5000: entry 5000; the odd address next to it is in no pool.
  ASSERT_NE(many.config->poolContaining(*net::IpAddress::parse("10.0.39.16")), nullptr);
  EXPECT_EQ(many.config->poolContaining(*net::IpAddress::parse("10.0.39.16"))->name, "p5000");
  EXPECT_EQ(many.config->poolContaining(*net::IpAddress::parse("10.0.39.17")), nullptr);

  // 10,000 entries all inside one big range: 10,000 errors, still linearithmic.
  entries.push_back("10.0.0.0/8");
  const BuildResult overlapping = buildDefault(withAllPoolsAdvertised({poolObj("big", entries)}));
  EXPECT_EQ(overlapping.errors.size(), 10000u);
}

TEST(BuildTest, DecodedFromApiServerJson) {
  // A `kubectl get ipaddresspools,l2advertisements,namespaces,nodes -A -o json` style List.
  const auto list = nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
    "items": [
      {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
       "metadata": {"name": "first-pool", "namespace": "metallb-system", "uid": "1",
                    "resourceVersion": "10", "creationTimestamp": "2024-05-01T09:12:44Z"},
       "spec": {"addresses": ["192.0.2.0/28", "2001:db8::10-2001:db8::1f"],
                "autoAssign": true, "avoidBuggyIPs": false}},
      {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
       "metadata": {"name": "second-pool", "namespace": "metallb-system"},
       "spec": {"addresses": ["192.0.2.8/29"]}},
      {"apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
       "metadata": {"name": "l2", "namespace": "metallb-system"},
       "spec": {"ipAddressPools": ["first-pool"], "interfaces": ["eth0"]}},
      {"apiVersion": "frrk8s.metallb.io/v1beta1", "kind": "FRRConfiguration",
       "metadata": {"name": "frr", "namespace": "metallb-system"}, "spec": {}},
      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default",
       "labels": {"kubernetes.io/metadata.name": "default"}}},
      {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kind-worker",
       "labels": {"kubernetes.io/hostname": "kind-worker"}},
       "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    ]})");
  Snapshot s;
  int skipped = 0;
  for (const auto& item : list["items"]) {
    auto decoded = api::decodeAnyObject(item);
    if (!decoded) {
      ++skipped;  // FRRConfiguration: not ours
      continue;
    }
    EXPECT_TRUE(api::addToSnapshot(s, std::move(*decoded)));
  }
  EXPECT_EQ(skipped, 1);
  const BuildResult r = buildDefault(s);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(strings(r.errors),
            std::vector<std::string>{
                "IPAddressPool metallb-system/second-pool: spec.addresses[0]: \"192.0.2.8/29\" "
                "overlaps \"192.0.2.0/28\" at spec.addresses[0] of IPAddressPool "
                "metallb-system/first-pool (192.0.2.8-192.0.2.15 and 192.0.2.0-192.0.2.15 share "
                "addresses); reported on IPAddressPool metallb-system/second-pool, the newer of "
                "the two"});
  // second-pool is not advertised either, but it is invalid: its error is what to fix first.
  EXPECT_TRUE(r.warnings.empty()) << testing::PrintToString(strings(r.warnings));
}

}  // namespace
}  // namespace ironlb::lbconfig

namespace ironlb::lbconfig {
namespace {

api::BGPPeer bgpPeerObj(const std::string& name, int64_t myAsn) {
  api::BGPPeer p;
  p.meta.name = name;
  p.meta.ns = kNs;
  p.spec.myAsn = myAsn;
  p.spec.peerAsn = 64513;
  p.spec.peerAddress = "192.0.2.1";
  return p;
}

TEST(BuildBgpTest, BgpObjectsBuildIntoTheConfig) {
  Snapshot s;
  s.pools.push_back(poolObj("public", {"203.0.113.0/24"}));
  s.bgp.peers.push_back(bgpPeerObj("tor", 64512));
  api::BGPAdvertisement a;
  a.meta.name = "public";
  a.meta.ns = kNs;
  a.spec.ipAddressPools = {"public"};
  s.bgp.advertisements.push_back(a);
  const BuildResult r = build(s, {});
  ASSERT_TRUE(r.ok()) << strings(r.errors)[0];
  EXPECT_EQ(r.config->bgp().peers.count("tor"), 1u);
  ASSERT_EQ(r.config->bgp().advertisements.size(), 1u);
  // Announced over BGP: no "no advertisement selects this pool" warning.
  EXPECT_TRUE(r.warnings.empty()) << strings(r.warnings)[0];
}

TEST(BuildBgpTest, AnInvalidBgpObjectKeepsTheLastGoodConfig) {
  Snapshot s = withAllPoolsAdvertised({poolObj("public", {"203.0.113.0/24"})});
  s.bgp.peers.push_back(bgpPeerObj("tor", 0));
  const BuildResult r = build(s, {});
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].kind, "BGPPeer");
  EXPECT_EQ(r.errors[0].path, "spec.myASN");
}

}  // namespace
}  // namespace ironlb::lbconfig
