#include "speaker/daemon/bgp_mode.h"

#include <gtest/gtest.h>

namespace ironlb::speaker {
namespace {

bgp::IpVerdict verdict(const std::string& service, const char* ip, bgp::Reason reason,
                       std::vector<std::string> peers = {}) {
  return {service, net::IpAddress::parse(ip).value(), reason, std::move(peers)};
}

TEST(BgpModeTest, AnnouncedServicesUniteThePeersOfEveryAnnouncedIp) {
  bgp::NodePlan plan;
  plan.verdicts = {
      verdict("app/web", "192.0.2.5", bgp::Reason::kAnnounced, {"tor-a"}),
      verdict("app/web", "2001:db8::5", bgp::Reason::kAnnounced, {"tor-a", "tor-v6"}),
      verdict("app/local", "192.0.2.6", bgp::Reason::kNoLocalEndpoint),
      verdict("other/db", "192.0.2.7", bgp::Reason::kAnnounced, {"tor-b"}),
  };
  const control::AnnouncedServices want = {{{"app", "web"}, {"tor-a", "tor-v6"}},
                                           {{"other", "db"}, {"tor-b"}}};
  EXPECT_EQ(announcedServices(plan), want);
  EXPECT_TRUE(announcedServices({}).empty());
}

}  // namespace
}  // namespace ironlb::speaker
