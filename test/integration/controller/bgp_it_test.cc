// The controller reads BGP mode's kinds (docs/bgp.md) into its configuration build, as the
// speakers do: a pool only a BGPAdvertisement selects is announced, so it draws no "no
// advertisement selects this pool" warning; a BGP object invalid across objects makes the
// controller's configuration invalid and is reported on that object. Real ironlb-controller,
// real kube-apiserver, no webhook (webhook_it_test.cc judges the same at apply time).
#include <gtest/gtest.h>

#include "it_env.h"

namespace ironlb::controller::it {
namespace {

const Json kPeerSpec = {{"myASN", 64512}, {"peerASN", 64513}, {"peerAddress", "192.0.2.1"}};

bool create(Scenario& s, const k8s::ResourceType& type, const Json& object) {
  std::string error;
  const bool ok = cluster().create(type, s.ns(), object, &error);
  EXPECT_TRUE(ok) << error;
  return ok;
}

// The events on `name` of `kind` whose "Type/Reason" is `typeReason` and that contain `text`.
int eventsSaying(Scenario& s, const std::string& name, const std::string& kind,
                 const std::string& typeReason, const std::string& text) {
  int n = 0;
  for (const auto& e : s.events(name, kind))
    n += e.rfind(typeReason, 0) == 0 && e.find(text) != std::string::npos;
  return n;
}

TEST(ControllerBgpIT, BgpAdvertisedPoolNotWarned) {
  Scenario s("bgp-adv");
  s.createPool("bgp-only", {"192.0.2.0/28"});
  create(s, k8s::resources::kBGPAdvertisements,
         bgpAdvertisementObject("bgp", {{"ipAddressPools", {"bgp-only"}}}));
  Controller& c = s.startController();
  ASSERT_TRUE(c.waitReady()) << c.log();
  // The pool serves Services as any other.
  s.createService("a");
  EXPECT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  // Marker: a pool nothing selects, created afterwards, is warned about (logged, then its Event
  // posted, in build order): had "bgp-only" been warned about, that came first.
  const std::string warning = "no L2Advertisement or BGPAdvertisement selects this pool";
  s.createPool("lonely", {"198.51.100.0/28"});
  ASSERT_TRUE(eventually(
      [&] { return eventsSaying(s, "lonely", "IPAddressPool", "Warning/ConfigWarning", warning); },
      30s))
      << testing::PrintToString(s.events("lonely", "IPAddressPool")) << c.log();
  EXPECT_EQ(eventsSaying(s, "bgp-only", "IPAddressPool", "Warning/ConfigWarning", ""), 0)
      << testing::PrintToString(s.events("bgp-only", "IPAddressPool"));
  const std::string log = c.log();
  EXPECT_NE(log.find("configuration warning object=\"IPAddressPool " + s.ns() + "/lonely\""),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("configuration warning object=\"IPAddressPool " + s.ns() + "/bgp-only\""),
            std::string::npos)
      << log;
  EXPECT_EQ(c.metric("metallb_k8s_client_config_stale_bool"), 0.0);
  dumpLogOnFailure(c);
}

TEST(ControllerBgpIT, InvalidBgpObjectReportedOnIt) {
  Scenario s("bgp-bad");
  s.createPool("p", {"203.0.113.0/28"});
  s.createAdvertisement();
  create(s, k8s::resources::kBGPPeers, bgpPeerObject("first", kPeerSpec));
  Controller& c = s.startController();
  ASSERT_TRUE(c.waitReady()) << c.log();
  ASSERT_EQ(c.metric("metallb_k8s_client_config_stale_bool"), 0.0);
  // Two peers opening one session: the speakers refuse this configuration, so does the
  // controller (its last valid one stays in force), with an Event on the offending BGPPeer.
  create(s, k8s::resources::kBGPPeers, bgpPeerObject("second", kPeerSpec));
  ASSERT_TRUE(eventually(
      [&] {
        return eventsSaying(s, "second", "BGPPeer", "Warning/InvalidConfiguration",
                            "spec.peerAddress: BGPPeer \"first\" already peers with "
                            "\"192.0.2.1\" on port 179 from the same nodes");
      },
      30s))
      << testing::PrintToString(s.events("second", "BGPPeer")) << c.log();
  EXPECT_TRUE(
      eventually([&] { return c.metric("metallb_k8s_client_config_stale_bool") == 1.0; }, 30s));
  // The last valid configuration still allocates.
  s.createService("a");
  EXPECT_TRUE(s.waitIps("a", {"203.0.113.0"}));
  // Fixed: valid again.
  ASSERT_TRUE(cluster().remove(k8s::resources::kBGPPeers, s.ns(), "second"));
  EXPECT_TRUE(
      eventually([&] { return c.metric("metallb_k8s_client_config_stale_bool") == 0.0; }, 30s));
  dumpLogOnFailure(c);
}

}  // namespace
}  // namespace ironlb::controller::it
