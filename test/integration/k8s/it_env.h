#pragma once
// Shared set-up for the Kubernetes client integration tests: the control plane's kubeconfigs
// (from the command line), a unique namespace per run, and helpers.
//
//   k8s_integration_test --kubeconfig=STATE/kubeconfig --kubeconfig-cert=STATE/kubeconfig-cert
//                        --kubeconfig-user=STATE/kubeconfig-user --state=STATE
//                        --restart=test/controlplane/restart-apiserver.sh

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/k8s/api_client.h"
#include "common/k8s/cluster_config.h"
#include "common/k8s/http_transport.h"

namespace ironlb::k8s::it {

struct Env {
  std::string kubeconfig;      // admin, bearer token
  std::string kubeconfigCert;  // admin, client certificate
  std::string kubeconfigUser;  // authenticated user without RBAC grants
  std::string stateDir;        // the control plane's state directory
  std::string restartScript;   // restart-apiserver.sh
  std::string ns;              // this run's namespace
};
const Env& env();

// A loaded config, transport and client in one (fails the test on error).
struct Client {
  ClusterConfig config;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<ApiClient> api;
};
std::unique_ptr<Client> connect(const std::string& kubeconfigPath);
std::unique_ptr<Client> connect(const ClusterConfig& config);
// The admin client (token auth), created once.
ApiClient& admin();

// A unique name for test objects ("<prefix>-<counter>").
std::string uniqueName(const std::string& prefix);

// Polls `done` every 20ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Runs restart-apiserver.sh and re-reads nothing: the port and credentials stay the same.
void restartApiServer();

// A Transport wrapper that can cut its client off from the API server, as a network partition
// would: requests fail, and an open stream drops everything from the moment of the partition.
class PartitionableTransport final : public Transport {
 public:
  explicit PartitionableTransport(Transport& inner) : inner_(inner) {}
  Result<HttpResponse> send(const HttpRequest& request) override;
  Result<HttpResponse> stream(const HttpRequest& request, const LineHandler& onLine) override;
  std::string server() const override { return inner_.server(); }
  void partition(bool on) { partitioned_ = on; }

 private:
  Transport& inner_;
  std::atomic<bool> partitioned_{false};
};

}  // namespace ironlb::k8s::it
