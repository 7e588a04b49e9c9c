#pragma once
// Harness for the controller's integration tests and its benchmark: the real ironlb-controller
// binary as a child process, an admin client of the test control plane, and helpers to create
// and inspect namespaces, pools and Services. No gtest here (the benchmark uses it too).

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/cluster_config.h"
#include "common/k8s/transport.h"

namespace ironlb::controller::it {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// ---- processes --------------------------------------------------------------------------------

// A child process with stdout+stderr appended to a log file. The destructor kills it.
class Process {
 public:
  Process() = default;
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Returns false (with errno text in `error`) when fork/exec failed.
  bool start(const std::vector<std::string>& argv, const std::string& logPath,
             std::string* error = nullptr);
  // SIGTERM, then waits up to `grace` before SIGKILL. Returns the exit status (or -signal).
  int terminate(std::chrono::milliseconds grace = 20s);
  // SIGKILL and reap.
  void kill();
  bool running();
  pid_t pid() const { return pid_; }
  // /proc/<pid>/status VmHWM (peak resident set) in KiB, 0 when unknown.
  long peakRssKib() const;
  // User + system CPU seconds so far.
  double cpuSeconds() const;

 private:
  int reap(bool wait);
  pid_t pid_ = -1;
  int status_ = 0;
};

// A TCP port free right now on 127.0.0.1.
int freePort();
// GET http://127.0.0.1:port/path; returns {status code, body} or nullopt without a response.
std::optional<std::pair<int, std::string>> httpGet(int port, const std::string& path);

// Polls `done` every 50 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 60s);

struct ControllerOptions {
  std::string binary{};
  std::string kubeconfig{};
  std::string ns{};       // --namespace
  std::string lbClass{};  // --lb-class ("" = none)
  bool leaderElect = false;
  std::string identity = "it";
  std::string leaseName{};  // "" = default
  int statusWriters = 0;    // 0 = default
  std::string logLevel = "info";
  std::vector<std::string> extra{};
};

class Controller {
 public:
  explicit Controller(ControllerOptions options, std::string logPath);
  bool start(std::string* error = nullptr);
  int stop(std::chrono::milliseconds grace = 20s) { return process_.terminate(grace); }
  void kill() { process_.kill(); }
  bool running() { return process_.running(); }
  // /readyz answers 200.
  bool ready();
  bool waitReady(std::chrono::milliseconds timeout = 60s);
  std::string metrics();
  // The value of one sample line ("name{labels}"), nullopt when absent.
  std::optional<double> metric(const std::string& sample);
  std::string log() const;
  const std::string& logPath() const { return logPath_; }
  int port() const { return port_; }
  Process& process() { return process_; }

 private:
  ControllerOptions options_;
  std::string logPath_;
  int port_ = 0;
  Process process_;
};

// ---- the API ------------------------------------------------------------------------------------

struct Client {
  k8s::ClusterConfig config;
  std::unique_ptr<k8s::Transport> transport;
  std::unique_ptr<k8s::ApiClient> api;
};
// A client with a connection pool sized for `parallel` concurrent calls; nullptr on error.
std::unique_ptr<Client> connect(const std::string& kubeconfig, int parallel = 8,
                                std::string* error = nullptr);

// Runs fn(i) for i in [0, n) on `threads` threads.
void parallelFor(int n, int threads, const std::function<void(int)>& fn);

// Objects as JSON, in the shapes users write.
Json namespaceObject(const std::string& name, const std::map<std::string, std::string>& labels);
Json poolObject(const std::string& name, const std::vector<std::string>& addresses,
                const Json& extraSpec = Json::object());
Json l2AdvertisementObject(const std::string& name, const Json& spec = Json::object());
// BGP mode's kinds (docs/bgp.md). A BGPPeer in `apiVersion` (served as v1beta2 and v1beta1).
Json bgpPeerObject(const std::string& name, const Json& spec,
                   const std::string& apiVersion = "metallb.io/v1beta2");
Json bgpAdvertisementObject(const std::string& name, const Json& spec = Json::object());

struct ServiceSpec {
  std::string lbClass{};  // "" = none
  std::map<std::string, std::string> annotations{};
  std::map<std::string, std::string> labels{};
  std::vector<std::string> families{};  // {} = server default (IPv4 here)
  std::string familyPolicy{};           // "" = server default
  std::vector<std::pair<std::string, int>> ports = {{"TCP", 80}};
  std::string loadBalancerIp{};
  std::string type = "LoadBalancer";
  std::string trafficPolicy{};  // "" = Cluster
  // NodePorts are a scarce range (2768 ports): thousands of test Services must not take them.
  bool nodePorts = false;
};
Json serviceObject(const std::string& name, const ServiceSpec& spec);

// status.loadBalancer.ingress[].ip of a Service object.
std::vector<std::string> ingressIps(const Json& service);
std::string annotationOf(const Json& object, const std::string& key);
// An integer field of an object's status; -1 when absent.
int64_t statusInt(const Json& object, const std::string& field);

class Cluster {
 public:
  explicit Cluster(k8s::ApiClient& api) : api_(api) {}
  k8s::ApiClient& api() { return api_; }

  // Fail with the API error's description in `error`.
  bool create(const k8s::ResourceType& type, const std::string& ns, const Json& object,
              std::string* error = nullptr);
  bool remove(const k8s::ResourceType& type, const std::string& ns, const std::string& name);
  bool mergePatch(const k8s::ResourceType& type, const std::string& ns, const std::string& name,
                  const Json& patch, std::string* error = nullptr);
  std::optional<Json> get(const k8s::ResourceType& type, const std::string& ns,
                          const std::string& name);
  std::vector<Json> list(const k8s::ResourceType& type, const std::string& ns,
                         const std::string& labelSelector = "");

  std::vector<std::string> ips(const std::string& ns, const std::string& name);
  // Waits until the Service shows exactly `want` (in order); {} = no IPs.
  bool waitIps(const std::string& ns, const std::string& name, const std::vector<std::string>& want,
               std::chrono::milliseconds timeout = 60s);
  // Waits until the Service shows any IP; returns them (empty on timeout).
  std::vector<std::string> waitAnyIps(const std::string& ns, const std::string& name,
                                      std::chrono::milliseconds timeout = 60s);
  // The Events about one object ("Type/Reason: message"), each repeated `count` times.
  std::vector<std::string> events(const std::string& ns, const std::string& kind,
                                  const std::string& name);
  bool waitEvent(const std::string& ns, const std::string& kind, const std::string& name,
                 const std::string& typeReason, std::chrono::milliseconds timeout = 30s);

 private:
  k8s::ApiClient& api_;
};

// name -> IPs of every Service in `ns` matching `selector`.
std::map<std::string, std::vector<std::string>> serviceIps(Cluster& cluster, const std::string& ns,
                                                           const std::string& selector = "");

}  // namespace ironlb::controller::it
