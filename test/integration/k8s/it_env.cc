// Integration test environment: argument parsing, namespace set-up and helpers.
#include "it_env.h"

#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace ironlb::k8s::it {
namespace {

Env gEnv;

bool takeFlag(const std::string& arg, const std::string& name, std::string& out) {
  const std::string prefix = "--" + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  out = arg.substr(prefix.size());
  return true;
}

class NamespaceEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const Json ns = {{"apiVersion", "v1"},
                     {"kind", "Namespace"},
                     {"metadata", {{"name", gEnv.ns}, {"labels", {{"ironlb-test", "k8s"}}}}}};
    auto r = admin().create(resources::kNamespaces, "", ns);
    ASSERT_TRUE(r.ok()) << r.error().describe();
  }
  void TearDown() override {
    // Without a controller manager the namespace stays Terminating; its objects stay too,
    // which is harmless in a throwaway control plane and useful when debugging.
    (void)admin().remove(resources::kNamespaces, "", gEnv.ns);
  }
};

}  // namespace

const Env& env() {
  return gEnv;
}

std::unique_ptr<Client> connect(const ClusterConfig& config) {
  auto c = std::make_unique<Client>();
  c->config = config;
  auto t = makeHttpTransport(
      config, {.connectTimeout = std::chrono::seconds(5), .readTimeout = std::chrono::seconds(20)});
  if (!t.ok()) {
    ADD_FAILURE() << t.error();
    return nullptr;
  }
  c->transport = std::move(*t);
  c->api = std::make_unique<ApiClient>(*c->transport);
  return c;
}

std::unique_ptr<Client> connect(const std::string& kubeconfigPath) {
  auto cfg = loadKubeconfig(kubeconfigPath);
  if (!cfg.ok()) {
    ADD_FAILURE() << cfg.error();
    return nullptr;
  }
  return connect(*cfg);
}

ApiClient& admin() {
  static std::unique_ptr<Client> client = connect(gEnv.kubeconfig);
  if (!client) std::abort();
  return *client->api;
}

std::string uniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void restartApiServer() {
  const std::string cmd = gEnv.restartScript + " " + gEnv.stateDir + " >&2";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

Result<HttpResponse> PartitionableTransport::send(const HttpRequest& request) {
  if (partitioned_) return makeError("test partition: API server unreachable");
  return inner_.send(request);
}

Result<HttpResponse> PartitionableTransport::stream(const HttpRequest& request,
                                                    const LineHandler& onLine) {
  if (partitioned_) return makeError("test partition: API server unreachable");
  return inner_.stream(request, [&](std::string_view line) {
    // A partitioned client never sees the record; ending the stream makes it reconnect,
    // which then fails until the partition heals.
    if (partitioned_) return false;
    return onLine(line);
  });
}

}  // namespace ironlb::k8s::it

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  using ironlb::k8s::it::gEnv;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (ironlb::k8s::it::takeFlag(arg, "kubeconfig", gEnv.kubeconfig) ||
        ironlb::k8s::it::takeFlag(arg, "kubeconfig-cert", gEnv.kubeconfigCert) ||
        ironlb::k8s::it::takeFlag(arg, "kubeconfig-user", gEnv.kubeconfigUser) ||
        ironlb::k8s::it::takeFlag(arg, "state", gEnv.stateDir) ||
        ironlb::k8s::it::takeFlag(arg, "restart", gEnv.restartScript)) {
      continue;
    }
    std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
    return 2;
  }
  if (gEnv.kubeconfig.empty()) {
    std::fprintf(stderr,
                 "usage: %s --kubeconfig=PATH [--kubeconfig-cert=PATH] [--kubeconfig-user=PATH] "
                 "[--state=DIR --restart=SCRIPT]\n",
                 argv[0]);
    return 2;
  }
  gEnv.ns = "ironlb-k8s-it-" + std::to_string(::getpid());
  ::testing::AddGlobalTestEnvironment(new ironlb::k8s::it::NamespaceEnvironment);
  return RUN_ALL_TESTS();
}
