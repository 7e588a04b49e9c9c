#pragma once
// FakeCluster: the API calls the controller makes, answered from objects held in memory, on a
// FakeTransport: lists, gets, creates, PUTs (409 unless the resourceVersion is the stored one),
// merge and JSON patches (a failed "test" is 409). Every change is echoed on the watch streams
// of its collection, as the API server would. Not a model of the API server (no validation,
// selectors or admission); the integration tests use the real one.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include "common/k8s/api_client.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/testing/fake_transport.h"
#include "common/util/clock.h"
#include "common/util/metrics.h"

namespace ironlb::controller::testing {

using nlohmann::json;

// The collections the controller lists and watches (pools in namespace "metallb-system").
inline constexpr const char* kServicesPath = "/api/v1/services";
inline constexpr const char* kNamespacesPath = "/api/v1/namespaces";
inline constexpr const char* kPoolsPath =
    "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools";
inline constexpr const char* kAdvertisementsPath =
    "/apis/metallb.io/v1beta1/namespaces/metallb-system/l2advertisements";
// Every kind the configuration is read from (ConfigInformers), the two above included.
inline constexpr const char* kConfigPaths[] = {
    kPoolsPath,
    kAdvertisementsPath,
    "/apis/metallb.io/v1beta2/namespaces/metallb-system/bgppeers",
    "/apis/metallb.io/v1beta1/namespaces/metallb-system/bgpadvertisements",
    "/apis/metallb.io/v1beta1/namespaces/metallb-system/bfdprofiles",
    "/apis/metallb.io/v1beta1/namespaces/metallb-system/communities"};

class FakeCluster {
 public:
  // Answers every request the transport has no scripted response for.
  explicit FakeCluster(k8s::testing::FakeTransport& transport);

  // Runs first on every request (any thread); an answer replaces the fake's own.
  using Intercept = std::function<std::optional<k8s::HttpResponse>(const k8s::HttpRequest&)>;
  void setIntercept(Intercept intercept);

  // Adds or replaces an object of collection `plural` (its resourceVersion is set); echoed.
  void put(const std::string& plural, json object);
  // Changes a stored object (its resourceVersion moves on); echoed as MODIFIED unless
  // `announce` is false (a watcher that has not caught up yet; announce() later).
  void modify(const std::string& plural, const std::string& key,
              const std::function<void(json&)>& change, bool announce = true);
  // Echoes the stored object as MODIFIED.
  void announce(const std::string& plural, const std::string& key);
  // Deletes the object and tells the watchers (DELETED).
  void remove(const std::string& plural, const std::string& key);
  std::optional<json> get(const std::string& plural, const std::string& key) const;
  // Queues the stream the next watch of `path` (a list path above) reads.
  void watch(const std::string& path);

  // The ingress IPs Service `key` (namespace/name) shows now.
  std::vector<std::string> ingress(const std::string& key) const;
  // Successful Service status writes so far, in order: (namespace/name, ingress IPs).
  std::vector<std::pair<std::string, std::vector<std::string>>> statusWrites() const;
  // Requests with this method whose path (without query) ends with `suffix`.
  std::size_t count(const std::string& method, const std::string& suffix) const;

 private:
  Result<k8s::HttpResponse> handle(const k8s::HttpRequest& request);
  void echo(const std::string& plural, const std::string& type, const json& object);

  k8s::testing::FakeTransport& transport_;
  mutable std::mutex mu_;
  Intercept intercept_;
  std::map<std::string, std::map<std::string, json>> objects_;  // plural -> ns/name -> object
  std::map<std::string, std::vector<std::shared_ptr<k8s::testing::FakeStream>>> streams_;
  std::vector<std::pair<std::string, std::vector<std::string>>> statusWrites_;
  int64_t version_ = 100;
};

// What every test of the daemon's parts starts from: a fake cluster with a client, a loop, a
// manual clock and the client metrics.
struct FakeClusterTest {
  k8s::testing::FakeTransport transport;
  FakeCluster cluster{transport};
  k8s::ApiClient api{transport};
  boost::asio::io_context io;
  util::ManualClock clock;
  util::MetricsRegistry registry;
  k8s::K8sMetrics k8sMetrics{registry};
};

json serviceJson(const std::string& ns, const std::string& name,
                 std::vector<std::string> ingress = {}, const std::string& pool = "");
json poolJson(const std::string& name, const std::string& cidr);
json namespaceJson(const std::string& name);

}  // namespace ironlb::controller::testing
