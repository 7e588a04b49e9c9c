#include "speaker/daemon/reporter.h"

#include <gtest/gtest.h>

#include "test/unit/speaker/control/cluster.h"

namespace ironlb::speaker {
namespace {

using control::testing::adv;
using control::testing::ip;
using control::testing::node;
using control::testing::pool;
using control::testing::svc;

// `bgpPool`: a pool only a BGPAdvertisement selects.
lbconfig::Config config(const std::string& bgpPool = "") {
  lbconfig::Snapshot s;
  s.nodes = {node("n0"), node("n1")};
  s.pools = {pool("main", {"192.0.2.0/28"}), pool("lonely", {"198.51.100.0/28"})};
  s.l2Advertisements = {adv({.name = "main", .pools = {"main"}})};
  if (!bgpPool.empty()) {
    api::BGPAdvertisement ad;
    ad.meta.name = "bgp";
    ad.meta.ns = s.pools[0].meta.ns;
    ad.spec.ipAddressPools = {bgpPool};
    s.bgp.advertisements.push_back(ad);
  }
  return control::testing::build(s);
}

struct Fixture {
  explicit Fixture(const std::string& self, const std::string& bgpPool = "") : planner(self) {
    reporter = std::make_unique<Reporter>(
        self, metrics, [this](const ReportEvent& e) { events.push_back(e); },
        [this](bool warning, const std::string& m) {
          logs.push_back({warning, m});
        });
    planner.setConfig(config(bgpPool));
    planner.setLive({"n0", "n1"});
  }
  void apply(std::vector<control::Change> changes) { reporter->onChanges(changes, planner); }
  bool rendered(const std::string& line) {
    return registry.render().find(line) != std::string::npos;
  }

  util::MetricsRegistry registry;
  SpeakerMetrics metrics{registry};
  control::Planner planner;
  std::unique_ptr<Reporter> reporter;
  std::vector<ReportEvent> events;
  std::vector<std::pair<bool, std::string>> logs;
};

TEST(Reporter, OwnerAndReasonMetricsFollowTheDecisions) {
  Fixture f("n0");
  f.apply(f.planner.upsertService(svc({"ns/a", {"192.0.2.1"}})));
  const std::string owner = *f.planner.decision(ip("192.0.2.1"))->winner;
  EXPECT_TRUE(f.rendered("ironlb_speaker_ip_owner{ip=\"192.0.2.1\",node=\"" + owner + "\"} 1"));
  f.apply(f.planner.upsertService(svc({"ns/a", {"192.0.2.1"}, false})));
  EXPECT_FALSE(f.rendered("ironlb_speaker_ip_owner{ip=\"192.0.2.1\""));
  EXPECT_TRUE(f.rendered(
      "ironlb_speaker_ip_unannounced{ip=\"192.0.2.1\",reason=\"no_serving_endpoint\"} 1"));
  // No endpoints is not a configuration problem: logged, no Event.
  EXPECT_TRUE(f.events.empty());
  f.apply(f.planner.removeService("ns/a"));
  EXPECT_FALSE(f.rendered("ironlb_speaker_ip_unannounced{ip=\"192.0.2.1\""));
}

TEST(Reporter, OneSpeakerReportsAConfigurationProblem) {
  // Both speakers see the same thing; only the live node ranking first for the IP writes.
  int reported = 0;
  for (const char* self : {"n0", "n1"}) {
    Fixture f(self);
    f.apply(f.planner.upsertService(svc({"ns/lonely", {"198.51.100.1"}})));
    for (const auto& e : f.events) {
      EXPECT_EQ(e.service, "ns/lonely");
      EXPECT_EQ(e.reason, "notAnnounced");
      EXPECT_EQ(e.type, k8s::EventType::kWarning);
      EXPECT_NE(e.message.find("no L2Advertisement selects"), std::string::npos);
    }
    reported += static_cast<int>(f.events.size());
    // Everyone logs it as a warning.
    ASSERT_FALSE(f.logs.empty());
    EXPECT_TRUE(f.logs.back().first);
  }
  EXPECT_EQ(reported, 1);
}

TEST(Reporter, APoolLeftToBgpIsNoLayer2Problem) {
  for (const char* self : {"n0", "n1"}) {
    Fixture f(self, "lonely");
    f.apply(f.planner.upsertService(svc({"ns/lonely", {"198.51.100.1"}})));
    EXPECT_TRUE(f.events.empty()) << self;
    EXPECT_FALSE(f.rendered("ironlb_speaker_ip_unannounced{ip=\"198.51.100.1\""));
    ASSERT_FALSE(f.logs.empty());
    EXPECT_FALSE(f.logs.back().first);  // information, not a warning
    EXPECT_NE(f.logs.back().second.find("left to BGP mode"), std::string::npos);
  }
}

TEST(Reporter, NodeAssignedAnnounceFailedAndStatusFromWhatTheDataPlaneDid) {
  Fixture f("n0");
  f.planner.setLive({"n0"});  // n0 wins everything
  f.apply(f.planner.upsertService(svc({"ns/a", {"192.0.2.1"}})));
  f.apply(f.planner.upsertService(svc({"ns/b", {"192.0.2.2"}})));
  const auto ifname = [](int index) { return index == 2 ? "eth0" : "eth1"; };
  const announcer::Desired applied = {{ip("192.0.2.1"), {}}, {ip("192.0.2.2"), {"eth9"}}};
  const std::vector<announcer::Announcement> live = {{ip("192.0.2.1"), 2}, {ip("192.0.2.1"), 3}};
  const std::vector<announcer::Refusal> refusals = {
      {ip("192.0.2.2"), "eth9", announcer::Ineligibility::kMissing}};

  auto owed = f.reporter->onDataplane(f.planner, applied, live, refusals, ifname);
  EXPECT_EQ(owed, (control::AnnouncedServices{{{"ns", "a"}, {"eth0", "eth1"}}}));
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].reason, "announceFailed");
  EXPECT_EQ(f.events[0].service, "ns/b");
  EXPECT_NE(f.events[0].message.find("interface eth9 is missing on this node (nobody announces "
                                     "it)"),
            std::string::npos)
      << f.events[0].message;
  EXPECT_EQ(f.events[1], (ReportEvent{"ns/a", k8s::EventType::kNormal, "nodeAssigned",
                                      "announcing from node \"n0\" with protocol \"layer2\""}));
  EXPECT_TRUE(
      f.rendered("metallb_speaker_announced{service=\"ns/a\",protocol=\"layer2\","
                 "node=\"n0\",ip=\"192.0.2.1\"} 1"));
  EXPECT_TRUE(
      f.rendered("ironlb_speaker_announce_failed{ip=\"192.0.2.2\",interface=\"eth9\","
                 "reason=\"missing\"} 1"));

  // The same state again: no new Events (transitions only).
  f.reporter->onDataplane(f.planner, applied, live, refusals, ifname);
  EXPECT_EQ(f.events.size(), 2u);

  // Released: the metric goes, nothing is owed, a later re-acquire is a new nodeAssigned.
  owed = f.reporter->onDataplane(f.planner, {}, {}, {}, ifname);
  EXPECT_TRUE(owed.empty());
  EXPECT_FALSE(f.rendered("metallb_speaker_announced{"));
  EXPECT_FALSE(f.rendered("ironlb_speaker_announce_failed{"));
  f.reporter->onDataplane(f.planner, applied, live, {}, ifname);
  EXPECT_EQ(f.events.size(), 3u);
  EXPECT_EQ(f.events[2].reason, "nodeAssigned");
}

}  // namespace
}  // namespace ironlb::speaker
