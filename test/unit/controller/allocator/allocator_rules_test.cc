// Table-driven tests of the allocation rules (docs/allocation-rules.md): each row sets up pools and
// Services that already hold IPs, allocates one more Service and names the outcome, "pool: ips" or
// "error: <text the message must contain>".

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/allocator/allocator.h"
#include "test/unit/controller/allocator/fixtures.h"

namespace ironlb::allocator {
namespace {

using namespace testing;  // NOLINT: test helpers
using net::Family;

struct RuleCase {
  std::string name;
  std::vector<lbconfig::Pool> pools;
  std::vector<ServiceRequest> before;  // allocated first, each must succeed
  ServiceRequest request;
  std::string expect;
};

std::string outcome(Allocator& a, const ServiceRequest& r) {
  auto result = a.allocate(r);
  if (!result) return "error: " + result.error();
  return describe(result->assignment);
}

void PrintTo(const RuleCase& c, std::ostream* os) {
  *os << c.name;
}

std::string caseName(const ::testing::TestParamInfo<RuleCase>& param) {
  return param.param.name;
}

class AllocationRules : public ::testing::TestWithParam<RuleCase> {};

TEST_P(AllocationRules, Allocate) {
  const RuleCase& c = GetParam();
  Allocator a;
  ASSERT_TRUE(a.setPools(c.pools).ok());
  for (const auto& b : c.before) {
    auto r = a.allocate(b);
    ASSERT_TRUE(r.ok()) << b.key << ": " << r.error();
  }
  const std::string got = outcome(a, c.request);
  if (c.expect.rfind("error: ", 0) == 0) {
    EXPECT_NE(got.find(c.expect.substr(7)), std::string::npos) << got;
    EXPECT_EQ(got.rfind("error: ", 0), 0u) << got;
    EXPECT_FALSE(a.assignment(c.request.key).has_value());
  } else {
    EXPECT_EQ(got, c.expect);
  }
}

const lbconfig::Pool kA = pool("a", {"192.0.2.0/28"});
const lbconfig::Pool kDual = pool("dual", {"198.51.100.0/30", "2001:db8::/126"});

// clang-format off
const RuleCase kRequestedIps[] = {
  {"RequestedFreeIp", {kA}, {}, svc("d/s").wants({"192.0.2.5"}), "a: 192.0.2.5"},
  {"RequestedNetworkAddressIsUsable", {kA}, {}, svc("d/s").wants({"192.0.2.0"}), "a: 192.0.2.0"},
  {"RequestedHeldWithoutKey", {kA}, {svc("d/x").wants({"192.0.2.5"})},
   svc("d/s").wants({"192.0.2.5"}).share("k").tcp(443),
   "error: 192.0.2.5 is already in use by d/x (no sharing key)"},
  {"RequestedHeldNewHasNoKey", {kA}, {svc("d/x").wants({"192.0.2.5"}).share("k")},
   svc("d/s").wants({"192.0.2.5"}).tcp(443), "error: d/s has no sharing key"},
  {"RequestedSharedCompatible", {kA}, {svc("d/x").wants({"192.0.2.5"}).share("k")},
   svc("d/s").wants({"192.0.2.5"}).share("k").tcp(443), "a: 192.0.2.5"},
  {"RequestedSharedPortOverlap", {kA}, {svc("d/x").wants({"192.0.2.5"}).share("k")},
   svc("d/s").wants({"192.0.2.5"}).share("k"), "error: in use by d/x on TCP/80"},
  {"RequestedSharedSamePortOtherProtocol", {kA}, {svc("d/x").wants({"192.0.2.5"}).share("k")},
   svc("d/s").wants({"192.0.2.5"}).share("k").ports({{Protocol::kUdp, 80}}), "a: 192.0.2.5"},
  {"RequestedSharedOtherKey", {kA}, {svc("d/x").wants({"192.0.2.5"}).share("k")},
   svc("d/s").wants({"192.0.2.5"}).share("j").tcp(443), "error: with sharing key \"k\", not \"j\""},
  {"RequestedSharedOtherBackend", {kA},
   {svc("d/x").wants({"192.0.2.5"}).share("k").backend("app=x")},
   svc("d/s").wants({"192.0.2.5"}).share("k").backend("app=y").tcp(443),
   "error: with backend key \"app=x\", not \"app=y\""},
  {"RequestedNotInAnyPool", {kA}, {}, svc("d/s").wants({"198.51.100.1"}),
   "error: 198.51.100.1 is not in any IPAddressPool"},
  {"RequestedIgnoresAutoAssign", {pool("m", {"192.0.2.0/28"}).noAutoAssign()}, {},
   svc("d/s").wants({"192.0.2.9"}), "m: 192.0.2.9"},
  {"RequestedPoolMustAdmit", {pool("p", {"192.0.2.0/28"}).namespaces({"prod"})}, {},
   svc("dev/s").wants({"192.0.2.9"}), "error: pool \"p\" does not admit the Service"},
  {"RequestedAvoidedIp", {pool("b", {"192.0.2.0/24"}).avoidBuggyIps()}, {},
   svc("d/s").wants({"192.0.2.255"}), "error: 192.0.2.255 is excluded by avoidBuggyIPs of pool \"b\""},
  {"RequestedWithMatchingPool", {kA, pool("z", {"198.51.100.0/28"})}, {},
   svc("d/s").wants({"198.51.100.3"}).fromPool("z"), "z: 198.51.100.3"},
  {"RequestedWithOtherPool", {kA, pool("z", {"198.51.100.0/28"})}, {},
   svc("d/s").wants({"198.51.100.3"}).fromPool("a"),
   "error: are in pool \"z\", not in the requested pool \"a\""},
  {"RequestedUnusableNamesTheReason", {kA}, {}, svc("d/s").wants({"224.0.0.1"}),
   "error: 224.0.0.1 is a multicast address (224.0.0.0/4), which no host can use"},
  {"RequestedTwoOfOneFamily", {kA}, {}, svc("d/s").wants({"192.0.2.1", "192.0.2.2"}),
   "error: at most one IP per family"},
  {"RequestedWrongFamily", {kDual}, {}, svc("d/s").wants({"2001:db8::1"}),
   "error: the Service has no IPv6 family"},
  {"RequestedDualInOnePool", {kDual}, {},
   svc("d/s").dual(FamilyPolicy::kRequireDualStack).wants({"2001:db8::2", "198.51.100.3"}),
   "dual: 198.51.100.3,2001:db8::2"},
  {"RequestedDualPrimaryV6Order", {kDual}, {},
   svc("d/s").dual(FamilyPolicy::kRequireDualStack, Family::kV6).wants({"198.51.100.3", "2001:db8::2"}),
   "dual: 2001:db8::2,198.51.100.3"},
  {"RequestedDualAcrossPools", {kA, pool("six", {"2001:db8::/126"})}, {},
   svc("d/s").dual(FamilyPolicy::kRequireDualStack).wants({"192.0.2.3", "2001:db8::2"}),
   "error: are in different pools"},
  {"RequestedOneForRequireDualStack", {kDual}, {},
   svc("d/s").dual(FamilyPolicy::kRequireDualStack).wants({"198.51.100.3"}),
   "error: RequireDualStack needs one IPv4 and one IPv6 address"},
  {"RequestedOneForPreferDualStack", {kDual}, {},
   svc("d/s").dual(FamilyPolicy::kPreferDualStack).wants({"2001:db8::3"}), "dual: 2001:db8::3"},
};

const RuleCase kNamedPool[] = {
  {"NamedPoolIgnoresAutoAssign", {kA, pool("m", {"198.51.100.8/29"}).noAutoAssign()}, {},
   svc("d/s").fromPool("m"), "m: 198.51.100.8"},
  {"NamedPoolBeatsPriority", {pool("p", {"192.0.2.0/28"}).priority(1), pool("q", {"198.51.100.0/28"})},
   {}, svc("d/s").fromPool("q"), "q: 198.51.100.0"},
  {"NamedPoolMissing", {kA}, {}, svc("d/s").fromPool("nope"),
   "error: the requested pool \"nope\" does not exist"},
  {"NamedPoolMustAdmit", {pool("p", {"192.0.2.0/28"}).serviceSelector("tier", "web")}, {},
   svc("d/s").fromPool("p").label("tier", "db"),
   "error: the requested pool \"p\" does not admit the Service"},
  {"NamedPoolFull", {pool("one", {"198.51.100.7/32"}), kA}, {svc("d/x").fromPool("one")},
   svc("d/s").fromPool("one"), "error: the requested pool \"one\" does not offer a free IPv4 address"},
};

const RuleCase kAutomatic[] = {
  {"NoPools", {}, {}, svc("d/s"), "error: no IPAddressPools are configured"},
  {"FirstAddressIsNetworkAddress", {kA}, {}, svc("d/s"), "a: 192.0.2.0"},
  {"NextAddressAscending", {kA}, {svc("d/x")}, svc("d/s"), "a: 192.0.2.1"},
  {"EqualPoolsByName", {pool("b", {"192.0.2.0/28"}), pool("a", {"198.51.100.0/28"})}, {},
   svc("d/s"), "a: 198.51.100.0"},
  {"LowerPriorityFirst",
   {pool("a", {"192.0.2.0/28"}).priority(2).namespaces({"d"}),
    pool("b", {"198.51.100.0/28"}).priority(1).namespaces({"d"})},
   {}, svc("d/s"), "b: 198.51.100.0"},
  {"EqualPriorityByName",
   {pool("b", {"192.0.2.0/28"}).priority(1).namespaces({"d"}),
    pool("a", {"198.51.100.0/28"}).priority(1).namespaces({"d"})},
   {}, svc("d/s"), "a: 198.51.100.0"},
  // MetalLB tries the pools whose serviceAllocation selects the Service first: among equal
  // priorities one selecting it by namespace or labels beats one that only has the priority.
  {"EqualPrioritySelectingPoolFirst",
   {pool("a", {"192.0.2.0/28"}).priority(10),
    pool("b", {"198.51.100.0/28"}).priority(10).namespaces({"d"})},
   {}, svc("d/s"), "b: 198.51.100.0"},
  {"EqualPriorityLabelSelectingPoolFirst",
   {pool("a", {"192.0.2.0/28"}).priority(10),
    pool("b", {"198.51.100.0/28"}).priority(10).serviceSelector("tier", "web")},
   {}, svc("d/s").label("tier", "web"), "b: 198.51.100.0"},
  {"UnsetPriorityAfterSet",
   {pool("a", {"192.0.2.0/28"}).namespaces({"d"}),
    pool("b", {"198.51.100.0/28"}).priority(7).namespaces({"d"})},
   {}, svc("d/s"), "b: 198.51.100.0"},
  {"AdmittingPoolBeforeUnconstrained",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.0/28"}).namespaces({"d"})},
   {}, svc("d/s"), "z: 198.51.100.0"},
  {"NotAdmittingPoolSkipped",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.0/28"}).namespaces({"prod"})},
   {}, svc("d/s"), "a: 192.0.2.0"},
  {"ServiceSelectorMatches",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.0/28"}).serviceSelector("tier", "web")},
   {}, svc("d/s").label("tier", "web"), "z: 198.51.100.0"},
  {"NamespaceSelectorMatches",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.0/28"}).namespaceSelector("team", "x")},
   {}, svc("d/s").nsLabel("team", "x"), "z: 198.51.100.0"},
  {"NamespaceSelectorMisses",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.0/28"}).namespaceSelector("team", "x")},
   {}, svc("d/s").nsLabel("team", "y"), "a: 192.0.2.0"},
  // ironlb: MetalLB never auto-uses a pool whose serviceAllocation has only a priority.
  {"PriorityOnlyPoolAdmitsEveryone",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.0/28"}).priority(3)},
   {}, svc("d/s"), "z: 198.51.100.0"},
  {"EmptyServiceAllocationIsUnconstrained",
   {pool("b", {"192.0.2.0/28"}).emptyServiceAllocation(), pool("a", {"198.51.100.0/28"})},
   {}, svc("d/s"), "a: 198.51.100.0"},
  {"AutoAssignFalseNeverAutomatic", {pool("m", {"192.0.2.0/28"}).noAutoAssign()}, {}, svc("d/s"),
   "error: no autoAssign IPAddressPool admits the Service"},
  {"FullPoolFallsThrough", {pool("a", {"192.0.2.1/32"}), pool("b", {"198.51.100.0/28"})},
   {svc("d/x")}, svc("d/s"), "b: 198.51.100.0"},
  {"ConstrainedExhaustedThenOpen",
   {pool("a", {"192.0.2.0/28"}), pool("z", {"198.51.100.4/32"}).priority(1)},
   {svc("d/x")}, svc("d/s"), "a: 192.0.2.0"},
  {"AllFull", {pool("a", {"192.0.2.1/32"})}, {svc("d/x")}, svc("d/s"),
   "error: no autoAssign pool admitting the Service offers a free IPv4 address (tried \"a\")"},
  {"RangesInSpecOrder", {pool("a", {"198.51.100.0/30", "192.0.2.0/30"})}, {}, svc("d/s"),
   "a: 198.51.100.0"},
  {"AvoidBuggySkipsDotZero", {pool("a", {"192.0.2.0/24"}).avoidBuggyIps()}, {}, svc("d/s"),
   "a: 192.0.2.1"},
  {"AvoidBuggySkipsAcrossOctets", {pool("a", {"192.0.2.254-192.0.3.9"}).avoidBuggyIps()},
   {svc("d/x")}, svc("d/s"), "a: 192.0.3.1"},
  {"AvoidBuggyOnlyIpv4", {pool("a", {"2001:db8::/120"}).avoidBuggyIps()}, {}, svc("d/s").v6(),
   "a: 2001:db8::"},
  {"SlashThirtyTwo", {pool("a", {"192.0.2.9/32"})}, {}, svc("d/s"), "a: 192.0.2.9"},
  {"SlashThirtyTwoAvoided", {pool("a", {"192.0.2.0/32"}).avoidBuggyIps()}, {}, svc("d/s"),
   "error: offers a free IPv4 address"},
  {"SlashOneTwentyEight", {pool("a", {"2001:db8::9/128"})}, {}, svc("d/s").v6(), "a: 2001:db8::9"},
  {"TouchingRanges", {pool("a", {"192.0.2.0-192.0.2.1", "192.0.2.2-192.0.2.3"})},
   {svc("d/w"), svc("d/x")}, svc("d/s"), "a: 192.0.2.2"},
  {"MixedFamilyPoolServesV6", {kDual}, {}, svc("d/s").v6(), "dual: 2001:db8::"},
  {"V6ServiceSkipsV4OnlyPool", {kA, pool("b", {"2001:db8::/126"})}, {}, svc("d/s").v6(),
   "b: 2001:db8::"},
};

const RuleCase kSharing[] = {
  {"SharesFirstCompatible", {kA}, {svc("d/x").share("k")}, svc("d/s").share("k").tcp(443),
   "a: 192.0.2.0"},
  {"PortClashTakesNextFree", {kA}, {svc("d/x").share("k")}, svc("d/s").share("k"),
   "a: 192.0.2.1"},
  {"FreeAddressBeforeSharedWins", {kA}, {svc("d/x").wants({"192.0.2.5"}).share("k")},
   svc("d/s").share("k").tcp(443), "a: 192.0.2.0"},
  {"SharedAddressBeforeFreeWins", {kA}, {svc("d/w"), svc("d/x").share("k")},
   svc("d/s").share("k").tcp(443), "a: 192.0.2.1"},
  {"BackendKeyMustMatch", {kA}, {svc("d/x").share("k").backend("app=x")},
   svc("d/s").share("k").backend("app=y").tcp(443), "a: 192.0.2.1"},
  {"NoKeyNeverShares", {kA}, {svc("d/x")}, svc("d/s").tcp(443), "a: 192.0.2.1"},
  {"ThirdServiceJoins", {kA}, {svc("d/x").share("k").tcp(1), svc("d/y").share("k").tcp(2)},
   svc("d/s").share("k").tcp(3), "a: 192.0.2.0"},
  {"SharedInEarlierRangeWins", {pool("a", {"198.51.100.0/30", "192.0.2.0/30"})},
   {svc("d/w1"), svc("d/w2"), svc("d/w3").share("k"), svc("d/w4")},
   svc("d/s").share("k").tcp(443), "a: 198.51.100.2"},
  {"SharedOnlyInsideItsPool", {pool("a", {"192.0.2.0/30"}).namespaces({"d"}), pool("b", {"198.51.100.0/30"})},
   {svc("d/x").share("k")}, svc("e/s").share("k").tcp(443), "b: 198.51.100.0"},
};

const RuleCase kDualStack[] = {
  {"RequireBoth", {kDual}, {}, svc("d/s").dual(FamilyPolicy::kRequireDualStack),
   "dual: 198.51.100.0,2001:db8::"},
  {"RequireBothPrimaryV6", {kDual}, {}, svc("d/s").dual(FamilyPolicy::kRequireDualStack, Family::kV6),
   "dual: 2001:db8::,198.51.100.0"},
  {"RequireNotFromTwoPools", {kA, pool("six", {"2001:db8::/126"})}, {},
   svc("d/s").dual(FamilyPolicy::kRequireDualStack),
   "error: offers both a free IPv4 and a free IPv6 address"},
  {"RequireNeedsTwoFamilies", {kDual}, {}, svc("d/s").policy(FamilyPolicy::kRequireDualStack),
   "error: ipFamilyPolicy RequireDualStack but the Service has only the IPv4 family"},
  {"RequireSkipsPoolMissingOneFamily",
   {pool("a", {"192.0.2.0/30"}), pool("b", {"198.51.100.0/30", "2001:db8::/126"})}, {},
   svc("d/s").dual(FamilyPolicy::kRequireDualStack), "b: 198.51.100.0,2001:db8::"},
  {"PreferDualFromSinglePool", {kA}, {}, svc("d/s").dual(FamilyPolicy::kPreferDualStack),
   "a: 192.0.2.0"},
  {"PreferDualPoolBeatsEarlierSingle", {kA, kDual}, {},
   svc("d/s").dual(FamilyPolicy::kPreferDualStack), "dual: 198.51.100.0,2001:db8::"},
  {"PreferPrimaryBeforeSecondary", {pool("a4", {"192.0.2.0/30"}), pool("b6", {"2001:db8::/126"})},
   {}, svc("d/s").dual(FamilyPolicy::kPreferDualStack, Family::kV6), "b6: 2001:db8::"},
  {"PreferSecondaryWhenNoPrimary", {pool("b6", {"2001:db8::/126"})}, {},
   svc("d/s").dual(FamilyPolicy::kPreferDualStack), "b6: 2001:db8::"},
  {"PreferGroupsSearchedSeparately",
   {pool("c", {"192.0.2.0/30"}).priority(1), pool("a", {"198.51.100.0/30", "2001:db8::/126"})},
   {}, svc("d/s").dual(FamilyPolicy::kPreferDualStack), "c: 192.0.2.0"},
  {"SingleStackOnDualPool", {kDual}, {}, svc("d/s"), "dual: 198.51.100.0"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(RequestedIps, AllocationRules, ::testing::ValuesIn(kRequestedIps),
                         caseName);
INSTANTIATE_TEST_SUITE_P(NamedPool, AllocationRules, ::testing::ValuesIn(kNamedPool), caseName);
INSTANTIATE_TEST_SUITE_P(Automatic, AllocationRules, ::testing::ValuesIn(kAutomatic), caseName);
INSTANTIATE_TEST_SUITE_P(Sharing, AllocationRules, ::testing::ValuesIn(kSharing), caseName);
INSTANTIATE_TEST_SUITE_P(DualStack, AllocationRules, ::testing::ValuesIn(kDualStack), caseName);

}  // namespace
}  // namespace ironlb::allocator
