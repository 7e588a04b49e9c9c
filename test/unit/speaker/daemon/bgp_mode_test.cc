#include "speaker/daemon/bgp_mode.h"

#include <gtest/gtest.h>

#include <set>

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

TEST(BgpModeTest, PasswordsReadOftenUntilEverySessionNeedingOneIsUp) {
  lbconfig::BgpConfig bgp;
  bgp.peers["open"].name = "open";
  const util::MonoTime read = util::MonoTime{} + std::chrono::hours(1);
  const BgpModeOptions options;  // 10 s, then 60 s
  std::set<std::string> up;
  const auto established = [&](const std::string& peer) { return up.contains(peer); };
  bgp.peers["elsewhere"].name = "elsewhere";  // does not select this node
  bgp.peers["elsewhere"].passwordSecret = "other-auth";
  // No session of this node needs a password: never.
  EXPECT_EQ(passwordsDue(bgp, {"open"}, established, false, read, options), util::MonoTime::max());
  bgp.peers["tor"].name = "tor";
  bgp.peers["tor"].passwordSecret = "tor-auth";
  const std::vector<std::string> peers = {"open", "tor"};  // those selecting this node
  // tor is not up (also while it is left out of FRR, its password not read yet)
  EXPECT_EQ(passwordsDue(bgp, peers, established, false, read, options),
            read + std::chrono::seconds(10));
  up = {"tor"};  // "open" needs none, "elsewhere" is not this node's: settled
  EXPECT_EQ(passwordsDue(bgp, peers, established, false, read, options),
            read + std::chrono::seconds(60));
  // A Secret that could not be read keeps the short period.
  EXPECT_EQ(passwordsDue(bgp, peers, established, true, read, options),
            read + std::chrono::seconds(10));
}

}  // namespace
}  // namespace ironlb::speaker
