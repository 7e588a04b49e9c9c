#include "speaker/bgp/bgp_metrics.h"

#include <gtest/gtest.h>

namespace ironlb::bgp {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

SessionSample session(const std::string& peer, bool up, int64_t prefixes, int64_t updates) {
  SessionSample s;
  s.peer = peer;
  s.vrf = "default";
  s.state.established = up;
  s.state.prefixesSent = prefixes;
  s.state.updatesSent = updates;
  s.state.opensSent = 2;
  return s;
}

TEST(BgpMetricsTest, MetalLbNamesAndLabels) {
  util::MetricsRegistry registry;
  BgpMetrics metrics(registry);
  metrics.setSessions(
      {session("192.0.2.1:179", true, 3, 7), session("192.0.2.2:179", false, 0, 0)});
  metrics.setBfd({{"192.0.2.1", "default", true}});
  const std::string out = registry.render();
  EXPECT_TRUE(has(out, R"(metallb_bgp_session_up{peer="192.0.2.1:179",vrf="default"} 1)")) << out;
  EXPECT_TRUE(has(out, R"(metallb_bgp_session_up{peer="192.0.2.2:179",vrf="default"} 0)")) << out;
  EXPECT_TRUE(
      has(out, R"(metallb_bgp_announced_prefixes_total{peer="192.0.2.1:179",vrf="default"} 3)"))
      << out;
  EXPECT_TRUE(has(out, R"(metallb_bgp_updates_total{peer="192.0.2.1:179",vrf="default"} 7)"))
      << out;
  EXPECT_TRUE(has(out, R"(metallb_bgp_opens_sent{peer="192.0.2.1:179",vrf="default"} 2)")) << out;
  EXPECT_TRUE(has(out, R"(metallb_bfd_session_up{peer="192.0.2.1",vrf="default"} 1)")) << out;
  EXPECT_TRUE(has(out, "# TYPE metallb_bgp_updates_total counter")) << out;
}

TEST(BgpMetricsTest, GoneSessionsLoseTheirSeriesAndRestartsResetCounters) {
  util::MetricsRegistry registry;
  BgpMetrics metrics(registry);
  metrics.setSessions(
      {session("192.0.2.1:179", true, 3, 70), session("192.0.2.2:179", true, 1, 5)});
  metrics.setSessions({session("192.0.2.1:179", true, 3, 4)});  // bgpd restarted
  const std::string out = registry.render();
  EXPECT_EQ(out.find("192.0.2.2:179"), std::string::npos) << out;
  EXPECT_TRUE(has(out, R"(metallb_bgp_updates_total{peer="192.0.2.1:179",vrf="default"} 4)"))
      << out;
}

TEST(BgpMetricsTest, UnannouncedIpsCarryTheirReason) {
  util::MetricsRegistry registry;
  BgpMetrics metrics(registry);
  const auto ip = *net::IpAddress::parse("203.0.113.5");
  metrics.setVerdicts(
      {{"default/web", ip, Reason::kNoLocalEndpoint, {}},
       {"default/ok", *net::IpAddress::parse("203.0.113.6"), Reason::kAnnounced, {"tor"}}});
  std::string out = registry.render();
  EXPECT_TRUE(has(
      out,
      R"(ironlb_speaker_bgp_unannounced{service="default/web",ip="203.0.113.5",reason="no_local_endpoint"} 1)"))
      << out;
  EXPECT_EQ(out.find("203.0.113.6"), std::string::npos) << out;
  metrics.setVerdicts({{"default/web", ip, Reason::kAnnounced, {"tor"}}});
  out = registry.render();
  EXPECT_EQ(out.find("default/web"), std::string::npos) << out;
}

}  // namespace
}  // namespace ironlb::bgp
