// watch_driver: one ConfigMap informer on the daemons' client path (loadClusterConfig ->
// makeHttpTransport -> ApiClient -> Informer), printing what it sees, for tests that disturb
// the network between it and the API server (watch_blackhole_test.py).
//
//   watch_driver --kubeconfig=FILE --namespace=NS [--watch-idle-timeout-ms=N]
//                [--keepalive-idle-s=N] [--keepalive-interval-s=N] [--keepalive-count=N]
//
// stdout, one line each, flushed: "synced", "added NAME", "updated NAME", "deleted NAME".
// The informer's own log (re-watches, failures) goes to stderr. Runs until SIGTERM/SIGINT.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/k8s/api_client.h"
#include "common/k8s/cluster_config.h"
#include "common/k8s/http_transport.h"
#include "common/k8s/informer.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"

using namespace ironlb;

namespace {

bool flag(std::string_view arg, std::string_view name, std::string& out) {
  const std::string prefix = "--" + std::string(name) + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  out = std::string(arg.substr(prefix.size()));
  return true;
}

void say(const std::string& what, const k8s::Json& object) {
  std::printf("%s %s\n", what.c_str(), k8s::nameOf(object).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string kubeconfig, ns, value;
  k8s::TransportOptions transport;
  k8s::InformerOptions informer{.type = k8s::resources::kConfigMaps};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (flag(arg, "kubeconfig", kubeconfig) || flag(arg, "namespace", ns)) continue;
    if (flag(arg, "watch-idle-timeout-ms", value)) {
      informer.watchIdleTimeout = std::chrono::milliseconds(std::atoll(value.c_str()));
    } else if (flag(arg, "keepalive-idle-s", value)) {
      transport.keepAliveIdle = std::chrono::seconds(std::atoll(value.c_str()));
    } else if (flag(arg, "keepalive-interval-s", value)) {
      transport.keepAliveInterval = std::chrono::seconds(std::atoll(value.c_str()));
    } else if (flag(arg, "keepalive-count", value)) {
      transport.keepAliveCount = std::atoi(value.c_str());
    } else {
      std::fprintf(stderr, "watch_driver: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  util::setupLogging({.level = spdlog::level::info});
  auto config = k8s::loadClusterConfig(kubeconfig, "");
  if (!config) {
    std::fprintf(stderr, "watch_driver: %s\n", config.error().c_str());
    return 1;
  }
  auto http = k8s::makeHttpTransport(*config, transport);
  if (!http) {
    std::fprintf(stderr, "watch_driver: %s\n", http.error().c_str());
    return 1;
  }
  k8s::ApiClient api(**http);
  boost::asio::io_context io;
  informer.ns = ns;
  k8s::Informer configMaps(
      api, io, informer,
      {.onAdd = [](const k8s::Json& o) { say("added", o); },
       .onUpdate = [](const k8s::Json&, const k8s::Json& o) { say("updated", o); },
       .onDelete = [](const k8s::Json& o) { say("deleted", o); },
       .onSynced =
           [] {
             std::printf("synced\n");
             std::fflush(stdout);
           }});
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  configMaps.start();
  io.run();
  configMaps.stop();
  return 0;
}
