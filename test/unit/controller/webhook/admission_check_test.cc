// docs/webhook.md, "What it checks": the verdicts and their messages (object, field, value),
// from the controller's own validation core applied to stored + incoming objects.
#include "controller/webhook/admission_check.h"

#include <gtest/gtest.h>

namespace ironlb::controller::webhook {
namespace {

const std::string kNs = "metallb-system";

api::IPAddressPool pool(const std::string& name, std::vector<std::string> addresses,
                        const std::string& created = "") {
  api::IPAddressPool p;
  p.meta.name = name;
  p.meta.ns = kNs;
  if (!created.empty()) p.meta.creationTimestamp = created;
  p.spec.addresses = std::move(addresses);
  return p;
}

template <class Advertisement = api::L2Advertisement>
Advertisement advertisement(const std::string& name, std::vector<std::string> pools) {
  Advertisement a;
  a.meta.name = name;
  a.meta.ns = kNs;
  a.spec.ipAddressPools = std::move(pools);
  return a;
}

ConfigChange put(const api::IPAddressPool& p) {
  return {std::string(kPoolKind), p.meta.ns, p.meta.name, p};
}
ConfigChange put(const api::L2Advertisement& a) {
  return {std::string(kL2AdvertisementKind), a.meta.ns, a.meta.name, a};
}
ConfigChange remove(std::string_view kind, const std::string& name) {
  return {std::string(kind), kNs, name};
}

lbconfig::Snapshot stored() {
  lbconfig::Snapshot s;
  s.pools.push_back(pool("first", {"192.0.2.0/28"}, "2026-01-01T00:00:00Z"));
  s.l2Advertisements.push_back(advertisement("all", {}));
  return s;
}

TEST(WebhookConflictVerdicts, AnOverlappingPoolIsRefusedNamingBothPoolsAndTheRanges) {
  const Verdict v = judge(stored(), put(pool("second", {"192.0.2.8-192.0.2.20"})), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "IPAddressPool metallb-system/second: spec.addresses[0]: \"192.0.2.8-192.0.2.20\" "
            "overlaps \"192.0.2.0/28\" at spec.addresses[0] of IPAddressPool "
            "metallb-system/first (192.0.2.8-192.0.2.20 and 192.0.2.0-192.0.2.15 share "
            "addresses); reported on IPAddressPool metallb-system/second, the newer of the two");
}

TEST(WebhookConflictVerdicts, TheFixedPoolIsAccepted) {
  const Verdict v = judge(stored(), put(pool("second", {"192.0.2.16-192.0.2.20"})), kNs);
  EXPECT_TRUE(v.allowed) << v.message;
  EXPECT_EQ(v.message, "");
}

TEST(WebhookConflictVerdicts, AnUpdateIsJudgedWithTheOldVersionReplaced) {
  lbconfig::Snapshot s = stored();
  s.pools.push_back(pool("second", {"198.51.100.0/28"}, "2026-01-02T00:00:00Z"));
  // Growing `first` into its own old range is fine (its old version is gone)...
  EXPECT_TRUE(judge(s, put(pool("first", {"192.0.2.0/27"}, "2026-01-01T00:00:00Z")), kNs).allowed);
  // ...growing it over `second` is refused, though the error lands on the newer `second`.
  const Verdict v = judge(
      s, put(pool("first", {"192.0.2.0/28", "198.51.100.8/29"}, "2026-01-01T00:00:00Z")), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_NE(v.message.find("\"198.51.100.0/28\" overlaps \"198.51.100.8/29\" at "
                           "spec.addresses[1] of IPAddressPool metallb-system/first"),
            std::string::npos)
      << v.message;
}

TEST(WebhookConflictVerdicts, AnAdvertisementNamingAMissingPoolIsRefused) {
  const Verdict v = judge(stored(), put(advertisement("l2", {"first", "frist"})), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "L2Advertisement metallb-system/l2: spec.ipAddressPools[1]: IPAddressPool \"frist\" "
            "does not exist in namespace \"metallb-system\"; create the pool first, or fix the "
            "name");
  EXPECT_TRUE(judge(stored(), put(advertisement("l2", {"first"})), kNs).allowed);
}

TEST(WebhookConflictVerdicts, DuplicateEntriesAreRefusedByTheSameCoreAsTheController) {
  const Verdict v = judge(stored(), put(advertisement("l2", {"first", "first"})), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_NE(v.message.find("spec.ipAddressPools[1]: duplicate pool \"first\""), std::string::npos)
      << v.message;
}

TEST(WebhookConflictVerdicts, ErrorsAlreadyStoredDoNotBlockUnrelatedChanges) {
  lbconfig::Snapshot s = stored();
  // Got in while the webhook was down (failurePolicy Ignore).
  s.pools.push_back(pool("clash", {"192.0.2.4/30"}, "2026-01-03T00:00:00Z"));
  EXPECT_TRUE(judge(s, put(pool("unrelated", {"203.0.113.0/28"})), kNs).allowed);
  EXPECT_TRUE(judge(s, remove(kPoolKind, "clash"), kNs).allowed);
}

TEST(WebhookConflictVerdicts, ADeleteIsNeverRefusedButWarnsAboutWhatItBreaks) {
  lbconfig::Snapshot s = stored();
  s.l2Advertisements.push_back(advertisement("l2", {"first"}));
  const Verdict v = judge(s, remove(kPoolKind, "first"), kNs);
  EXPECT_TRUE(v.allowed);
  ASSERT_FALSE(v.warnings.empty());
  EXPECT_NE(v.warnings[0].find("L2Advertisement metallb-system/l2: spec.ipAddressPools[0]: "
                               "IPAddressPool \"first\" does not exist"),
            std::string::npos)
      << v.warnings[0];
}

TEST(WebhookConflictVerdicts, NewWarningsAboutTheObjectComeBackAsWarnings) {
  lbconfig::Snapshot s;  // no advertisement: a new pool is announced by nobody
  const Verdict v = judge(s, put(pool("lonely", {"203.0.113.0/28"})), kNs);
  EXPECT_TRUE(v.allowed);
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_NE(v.warnings[0].find("IPAddressPool metallb-system/lonely: no L2Advertisement or "
                               "BGPAdvertisement selects"),
            std::string::npos);
}

TEST(WebhookConflictVerdicts, InvalidValuesAreRefusedWithFieldAndValue) {
  const Verdict v = judge(stored(), put(pool("bad", {"192.0.2.300/24"})), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_NE(v.message.find("IPAddressPool metallb-system/bad: spec.addresses[0]:"),
            std::string::npos)
      << v.message;
  EXPECT_NE(v.message.find("192.0.2.300/24"), std::string::npos) << v.message;
}

// --- BGP mode's kinds, judged like the L2 ones (docs/bgp.md) ---------------------------------

api::BGPPeer peer(const std::string& name, const std::string& address = "192.0.2.1") {
  api::BGPPeer p;
  p.meta.name = name;
  p.meta.ns = kNs;
  p.spec.myAsn = 64512;
  p.spec.peerAsn = 64513;
  p.spec.peerAddress = address;
  return p;
}

api::Community community(const std::string& name, const std::string& alias) {
  api::Community c;
  c.meta.name = name;
  c.meta.ns = kNs;
  c.communities = {{alias, "65000:100"}};
  return c;
}

template <class T>
ConfigChange putObject(std::string_view kind, const T& object) {
  return {std::string(kind), object.meta.ns, object.meta.name, object};
}

TEST(WebhookBgpVerdicts, ASecondPeerOpeningTheSameSessionIsRefusedNamingTheFirst) {
  lbconfig::Snapshot s = stored();
  s.bgp.peers.push_back(peer("first"));
  const Verdict v = judge(s, putObject("BGPPeer", peer("second")), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "BGPPeer metallb-system/second: spec.peerAddress: BGPPeer \"first\" already peers "
            "with \"192.0.2.1\" on port 179 from the same nodes");
  EXPECT_TRUE(judge(s, putObject("BGPPeer", peer("second", "192.0.2.2")), kNs).allowed);
}

TEST(WebhookBgpVerdicts, AnAggregationShorterThanThePoolsBlockIsRefused) {
  api::BGPAdvertisement a = advertisement<api::BGPAdvertisement>("agg", {"first"});
  a.spec.aggregationLength = 24;
  const Verdict v = judge(stored(), putObject("BGPAdvertisement", a), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.message,
            "BGPAdvertisement metallb-system/agg: spec.aggregationLength: 24 is shorter than the "
            "block 192.0.2.0/28 of pool \"first\": the aggregate would announce addresses "
            "outside the pool");
  a.spec.aggregationLength = 28;
  EXPECT_TRUE(judge(stored(), putObject("BGPAdvertisement", a), kNs).allowed);
}

TEST(WebhookBgpVerdicts, AMissingBfdProfileIsRefusedAndDeletingAUsedOneWarns) {
  api::BGPPeer p = peer("tor");
  p.spec.bfdProfile = "fast";
  const Verdict v = judge(stored(), putObject("BGPPeer", p), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_NE(v.message.find("BGPPeer metallb-system/tor: spec.bfdProfile: BFDProfile \"fast\" "
                           "does not exist"),
            std::string::npos)
      << v.message;
  lbconfig::Snapshot s = stored();
  api::BFDProfile fast;
  fast.meta.name = "fast";
  fast.meta.ns = kNs;
  s.bgp.bfdProfiles.push_back(fast);
  EXPECT_TRUE(judge(s, putObject("BGPPeer", p), kNs).allowed);
  s.bgp.peers.push_back(p);
  const Verdict removal = judge(s, remove("BFDProfile", "fast"), kNs);
  EXPECT_TRUE(removal.allowed) << "a DELETE is never refused";
  ASSERT_EQ(removal.warnings.size(), 1u);
  EXPECT_NE(removal.warnings[0].find("BGPPeer metallb-system/tor: spec.bfdProfile"),
            std::string::npos)
      << removal.warnings[0];
}

TEST(WebhookBgpVerdicts, AnAliasDefinedTwiceIsRefusedNamingTheOtherCommunity) {
  lbconfig::Snapshot s = stored();
  s.bgp.communities.push_back(community("a-first", "gold"));
  const Verdict v = judge(s, putObject("Community", community("b-second", "gold")), kNs);
  EXPECT_FALSE(v.allowed);
  EXPECT_NE(v.message.find("Community metallb-system/b-second: "), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("is already defined in Community \"a-first\""), std::string::npos)
      << v.message;
}

TEST(WebhookBgpVerdicts, APoolOnlyABgpAdvertisementSelectsIsNotWarnedAbout) {
  lbconfig::Snapshot s;
  s.bgp.advertisements.push_back(advertisement<api::BGPAdvertisement>("public", {"public"}));
  const Verdict v = judge(s, put(pool("public", {"203.0.113.0/28"})), kNs);
  EXPECT_TRUE(v.allowed) << v.message;
  EXPECT_TRUE(v.warnings.empty()) << v.warnings[0];
}

TEST(WebhookConflictVerdicts, OtherKindsPass) {
  // Written by the speakers, no part of the configuration.
  EXPECT_TRUE(judge(stored(), {"ServiceL2Status", kNs, "l2-x", pool("x", {"bad"})}, kNs).allowed);
}

}  // namespace
}  // namespace ironlb::controller::webhook
