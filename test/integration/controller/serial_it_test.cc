// Tests that need the cluster to themselves (ctest RUN_SERIAL): a controller without
// --lb-class handles every class-less LoadBalancer Service in the cluster, and the users'
// example lives in metallb-system.
#include <gtest/gtest.h>

#include <regex>

#include "common/k8s/object_meta.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

std::string kubectl(const std::string& args) {
  return "'" + env().kubectl + "' " + args;
}

// The classic MetalLB example, applied verbatim with the real kubectl; `kubectl get svc` must
// show an EXTERNAL-IP from the pool.
TEST(ControllerSerialIT, UsersExampleVerbatim) {
  const std::string sample = env().repo + "/config/samples/first-pool.yaml";
  sh(kubectl("create namespace metallb-system"));  // may exist already
  auto [rc, out] = sh(kubectl("apply -f '" + sample + "'"));
  ASSERT_EQ(rc, 0) << out;
  Controller c({.binary = env().controller,
                .kubeconfig = env().kubeconfig,
                .ns = "metallb-system",
                .identity = "users-example",
                .extra = {"--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"}},
               env().work + "/users-example.log");
  c.start();
  std::string line;
  const bool shown = eventually(
      [&] {
        line = sh(kubectl("get svc my-lb -n default --no-headers")).second;
        return std::regex_search(
            line, std::regex(R"(LoadBalancer\s+\S+\s+192\.168\.2\.1(2[89]|3\d|4[0-3])\s)"));
      },
      60s);
  EXPECT_TRUE(shown) << "kubectl get svc my-lb: " << line;
  std::printf("kubectl get svc my-lb:\n%s", sh(kubectl("get svc my-lb -n default")).second.c_str());

  // A Service with a class is not ours when no class is configured.
  std::string error;
  const std::string other = unique("classed");
  ASSERT_TRUE(cluster().create(k8s::resources::kServices, "default",
                               serviceObject(other, {.lbClass = "example.com/other"}), &error))
      << error;
  // Marker: a class-less Service created after it gets its IP, so the classed one has been seen.
  const std::string marker = unique("marker");
  ASSERT_TRUE(
      cluster().create(k8s::resources::kServices, "default", serviceObject(marker, {}), &error))
      << error;
  EXPECT_FALSE(cluster().waitAnyIps("default", marker).empty());
  EXPECT_TRUE(cluster().ips("default", other).empty());
  cluster().remove(k8s::resources::kServices, "default", marker);
  cluster().remove(k8s::resources::kServices, "default", other);

  c.stop();
  dumpLogOnFailure(c);
  sh(kubectl("delete -f '" + sample + "' --wait=false"));
}

}  // namespace
}  // namespace ironlb::controller::it
