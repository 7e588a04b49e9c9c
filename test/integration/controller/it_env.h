#pragma once
// Environment of the controller integration tests: the test control plane (from the `env` file
// the ctest wrapper sources), the ironlb-controller binary, and a Scenario fixture that gives a
// test its own install namespace, loadBalancerClass and controller process, so tests can run
// next to each other (and next to other suites) on one API server.
//
//   source STATE/env && controller_integration_test --controller=BIN --repo=ROOT --work=DIR

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "harness.h"

namespace ironlb::controller::it {

struct Env {
  std::string kubeconfig;    // admin ($KUBECONFIG)
  std::string kubectl;       // $IRONLB_KUBECTL
  std::string helm;          // $IRONLB_HELM
  std::string state;         // $IRONLB_CONTROLPLANE_STATE
  std::string apiserverUrl;  // $IRONLB_APISERVER_URL
  std::string caCert;        // $IRONLB_CA_CERT
  std::string controller;    // --controller
  std::string repo;          // --repo
  std::string work;          // --work (logs, kubeconfigs)
};
const Env& env();
Cluster& cluster();
k8s::ApiClient& adminApi();

// A unique lower-case suffix for this process ("<pid>-<n>").
std::string unique(const std::string& prefix);

// Runs a shell command; returns {exit status, stdout+stderr}.
std::pair<int, std::string> sh(const std::string& command);

// One test's world: namespace (install namespace = Services' namespace), class, controller.
class Scenario {
 public:
  explicit Scenario(const std::string& name,
                    const std::map<std::string, std::string>& nsLabels = {});
  ~Scenario();

  const std::string& ns() const { return ns_; }
  const std::string& cls() const { return cls_; }

  ControllerOptions options(const std::string& identity = "it") const;
  // Starts a controller for this scenario (leader election off unless options say otherwise).
  Controller& startController(ControllerOptions options, const std::string& tag = "");
  Controller& startController() { return startController(options()); }
  Controller& controller(std::size_t i = 0) { return *controllers_.at(i); }

  bool createPool(const std::string& name, const std::vector<std::string>& addresses,
                  const Json& extraSpec = Json::object());
  bool createAdvertisement(const std::string& name = "all", const Json& spec = Json::object());
  // A Service of this scenario's class in this namespace.
  bool createService(const std::string& name, ServiceSpec spec = {});
  // Turns Service `name` into a ClusterIP Service (no longer ours: its IPs are released).
  bool makeClusterIp(const std::string& name);
  std::vector<std::string> ips(const std::string& name) { return cluster().ips(ns_, name); }
  std::vector<std::string> waitAnyIps(const std::string& name, std::chrono::milliseconds t = 60s) {
    return cluster().waitAnyIps(ns_, name, t);
  }
  bool waitIps(const std::string& name, const std::vector<std::string>& want,
               std::chrono::milliseconds t = 60s) {
    return cluster().waitIps(ns_, name, want, t);
  }
  bool waitEvent(const std::string& name, const std::string& typeReason,
                 const std::string& kind = "Service", std::chrono::milliseconds t = 30s) {
    return cluster().waitEvent(ns_, kind, name, typeReason, t);
  }
  std::vector<std::string> events(const std::string& name, const std::string& kind = "Service") {
    return cluster().events(ns_, kind, name);
  }

 private:
  std::string ns_;
  std::string cls_;
  std::vector<std::unique_ptr<Controller>> controllers_;
};

// The controller's identity as the chart makes it: the chart's rendered RBAC (release "ironlb"
// in the scenario's namespace) applied, its ServiceAccount ironlb-controller created, and a
// kubeconfig that holds nothing but a token for it. Returns the kubeconfig's path, or "" with
// the reason in `error`. `rendered` receives the RBAC manifest's path: delete it afterwards (it
// holds cluster-scoped objects).
// With `withWebhook`, the RBAC of templates/webhook.yaml is applied too (docs/webhook.md; its
// Service and ValidatingWebhookConfiguration are left out).
std::string chartIdentityKubeconfig(const Scenario& s, std::string* rendered, std::string* error,
                                    bool withWebhook = false);

// Shows the tail of a controller's log when the current test failed.
void dumpLogOnFailure(const Controller& c);

}  // namespace ironlb::controller::it
