#include "controller/daemon/run.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <optional>

#include "common/k8s/api_client.h"
#include "common/k8s/cluster_config.h"
#include "common/k8s/http_transport.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/token_review_authorizer.h"
#include "common/util/health_server.h"
#include "common/util/logging.h"
#include "common/util/metrics.h"
#include "common/util/process_metrics.h"
#include "controller/daemon/controller_daemon.h"
#include "controller/daemon/memberlist_secret.h"

namespace ironlb::controller {

int runController(const ControllerFlags& flags) {
  auto log = util::getLogger("controller");
  auto fail = [&](const std::string& what, const std::string& why) {
    util::logWith(*log, spdlog::level::critical, what, {{"error", why}});
    return 1;
  };
  auto cluster = k8s::loadClusterConfig(flags.kubeconfig, "");
  if (!cluster) return fail("cannot load the cluster configuration", cluster.error());
  k8s::TransportOptions transportOptions;
  // Every status writer, the informers' lists, events, pool status and the Lease keep their
  // connection alive instead of a TLS handshake per request.
  transportOptions.maxIdleConnections = static_cast<std::size_t>(flags.statusWriters) + 8;
  transportOptions.userAgent = "ironlb-controller/0.1";
  auto transport = k8s::makeHttpTransport(*cluster, transportOptions);
  if (!transport) return fail("cannot set up the API connection", transport.error());

  util::MetricsRegistry registry;
  util::ProcessMetrics processMetrics(registry);
  k8s::K8sMetrics metrics(registry);
  k8s::ApiClient api(**transport, &metrics,
                     {.writeQps = flags.kubeApiQps, .writeBurst = flags.kubeApiBurst});
  util::ReadinessFlag readiness("starting");
  // docs/metrics-endpoint.md: TLS + TokenReview/SubjectAccessReview unless --metrics-insecure.
  k8s::TokenReviewAuthorizer authorizer(api, util::SystemClock::instance());
  util::HealthServer health(registry, [&readiness] { return readiness.get(); });
  if (auto st = health.start(flags.healthOptions("ironlb-controller", &authorizer)); !st) {
    return fail("cannot serve metrics", st.error());
  }
  util::logWith(*log, spdlog::level::info, "ironlb-controller starting",
                {{"api", cluster->source},
                 {"namespace", flags.ns},
                 {"lb_class", flags.lbClass},
                 {"identity", flags.identity},
                 {"leader_elect", flags.leaderElect},
                 {"metrics", flags.metricsHost + ":" + std::to_string(health.port())},
                 {"metrics_tls", !flags.metricsInsecure},
                 {"probes", flags.probeHost + ":" + std::to_string(health.probePort())}});

  boost::asio::io_context io;
  ControllerDaemon daemon(io, flags, api, registry, metrics, readiness,
                          util::SystemClock::instance());
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    util::logWith(*log, spdlog::level::info, "signal received", {{"signal", signal}});
    daemon.stop();
    io.stop();
  });
  if (auto st = daemon.start(); !st) return fail("cannot start", st.error());
  std::optional<MemberlistSecretKeeper> memberlistSecret;
  if (!flags.memberlistSecretName.empty()) {
    memberlistSecret.emplace(
        api, MemberlistSecretOptions{.ns = flags.ns,
                                     .name = flags.memberlistSecretName,
                                     .ownerDeployment = flags.leaseOwnerDeployment});
    memberlistSecret->start();
  }
  io.run();
  if (memberlistSecret) memberlistSecret->stop();
  daemon.stop();
  health.stop();
  util::logWith(*log, spdlog::level::info, "ironlb-controller stopped", {});
  return 0;
}

}  // namespace ironlb::controller
