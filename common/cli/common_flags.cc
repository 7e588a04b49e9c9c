#include "common/cli/common_flags.h"

#include <utility>

#include "common/cli/flag_values.h"

namespace ironlb::cli {

util::HealthServerOptions CommonFlags::healthOptions(std::string tlsCommonName,
                                                     util::RequestAuthorizer* authorizer) const {
  return {.bindAddress = metricsHost,
          .port = metricsPort,
          .probeBindAddress = probeHost,
          .probePort = probePort,
          .insecure = metricsInsecure,
          .tlsCertFile = tlsCertFile,
          .tlsKeyFile = tlsKeyFile,
          .tlsCommonName = std::move(tlsCommonName),
          .authorizer = authorizer};
}

void addCommonFlags(FlagTable& table, CommonFlags& f) {
  table.section("Common to both daemons");
  table.add(
      {"kubeconfig", "PATH", "kubeconfig file", "in-cluster service account", text(f.kubeconfig)});
  table.add({"namespace", "NS",
             "where the metallb.io objects (and the controller's Lease) live; see "
             "docs/custom-resources.md",
             "$POD_NAMESPACE, else metallb-system", text(f.ns), "POD_NAMESPACE"});
  table.add({"lb-class", "CLASS",
             "handle only Services with exactly this spec.loadBalancerClass; without it, only "
             "Services that have no class (docs/services.md)",
             "", text(f.lbClass)});
  table.add({"metrics-address", "HOST:PORT",
             "serve /metrics (TLS, bearer token), /healthz, /readyz (docs/metrics-endpoint.md); "
             "also [v6]:port and :port (all addresses)",
             "0.0.0.0:7472", hostPort(f.metricsHost, f.metricsPort)});
  table.add({"probe-address", "HOST:PORT", "serve /healthz, /readyz in plain HTTP", "0.0.0.0:7473",
             hostPort(f.probeHost, f.probePort)});
  table.add({"metrics-insecure", "", "serve /metrics in plain HTTP without a token check", "false",
             boolean(f.metricsInsecure)});
  table.add({"tls-cert-file", "PATH", "PEM certificate (chain) for /metrics",
             "self-signed at start", text(f.tlsCertFile)});
  table.add({"tls-key-file", "PATH", "PEM private key of --tls-cert-file", "self-signed at start",
             text(f.tlsKeyFile)});
  table.add({"log-level", "LEVEL", "debug, info, warn or error", "info",
             parsed(f.logLevel, [](const std::string& v) { return util::parseLogLevel(v); })});
  table.add({"log-format", "FORMAT", "text or json", "text",
             parsed(f.logFormat, [](const std::string& v) { return util::parseLogFormat(v); })});
  table.add({"kube-api-qps", "N",
             "API writes per second, client-side; 0 = no limit (docs/kubernetes-client.md)", "1000",
             apiRate(f.kubeApiQps)});
  table.add({"kube-api-burst", "N", "API writes at once before --kube-api-qps applies", "2000",
             apiRate(f.kubeApiBurst)});
}

}  // namespace ironlb::cli
