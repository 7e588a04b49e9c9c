// The controller with exactly the RBAC the chart ships: the chart's rendered Roles and
// ClusterRoles bound to the controller's ServiceAccount, a token from `kubectl create token`,
// and a kubeconfig that holds nothing else, against the RBAC-enforcing API server.
#include <gtest/gtest.h>

#include "common/k8s/object_meta.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

std::string holderOf(const Json& lease) {
  auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return "?";
  return spec->value("holderIdentity", "");
}

TEST(ControllerRbacIT, RunsWithTheChartsRbacOnly) {
  Scenario s("rbac");
  std::string rendered, error;
  const std::string kubeconfig = chartIdentityKubeconfig(s, &rendered, &error);
  ASSERT_FALSE(kubeconfig.empty()) << error;
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  ControllerOptions o = s.options("rbac-it");
  o.kubeconfig = kubeconfig;
  o.leaderElect = true;
  o.leaseName = "ironlb-controller";  // the one name the Role lets it update
  Controller& c = s.startController(o);
  ASSERT_TRUE(c.waitReady()) << c.log();
  s.createService("web");
  EXPECT_FALSE(s.waitAnyIps("web").empty()) << "services/status update";
  EXPECT_TRUE(s.waitEvent("web", "Normal/IPAllocated")) << "events create";
  EXPECT_TRUE(eventually([&] {
    auto pool = cluster().get(k8s::resources::kIPAddressPools, s.ns(), "p");
    return pool && statusInt(*pool, "assignedIPv4") == 1;
  })) << "ipaddresspools/status patch";
  auto lease = cluster().get(k8s::resources::kLeases, s.ns(), "ironlb-controller");
  ASSERT_TRUE(lease);
  EXPECT_EQ(holderOf(*lease), "rbac-it");
  c.stop();
  lease = cluster().get(k8s::resources::kLeases, s.ns(), "ironlb-controller");
  ASSERT_TRUE(lease);
  EXPECT_EQ(holderOf(*lease), "") << "released on SIGTERM";
  const std::string log = c.log();
  EXPECT_EQ(log.find(" 403 "), std::string::npos) << "no request was forbidden";
  EXPECT_EQ(log.find("Forbidden"), std::string::npos);
  // Clean up the cluster-scoped objects the chart made.
  sh("'" + env().kubectl + "' delete -f '" + rendered + "' --wait=false");
}

}  // namespace
}  // namespace ironlb::controller::it
