#pragma once
// CommonFlags: the flags both daemons take, described once (docs/flags.md, "Common to both
// daemons"): API access, namespace and class, logging, the metrics and probe listeners and the
// client-side write rate limit. Each daemon's flags struct derives from it and adds its own.

#include <string>

#include <spdlog/common.h>

#include "common/cli/flag_table.h"
#include "common/util/health_server.h"
#include "common/util/logging.h"

namespace ironlb::cli {

// Client-side API write limit defaults, and why: docs/kubernetes-client.md, "Rate limit".
inline constexpr double kDefaultApiWriteQps = 1000;
inline constexpr double kDefaultApiWriteBurst = 2000;

// Fields keep ControllerFlags' snake_case names, which code outside the flags reads; the
// tree-wide rename to the house style (camelBack fields) takes them together.
struct CommonFlags {
  std::string kubeconfig;  // "" = in-cluster (or $KUBECONFIG / ~/.kube/config outside a pod)
  std::string ns = "metallb-system";
  std::string lbClass;  // "" = only Services without a class
  std::string metricsHost = "0.0.0.0";
  int metricsPort = 7472;  // 0 = any free port
  // Probe listener and metrics security (docs/metrics-endpoint.md).
  std::string probeHost = "0.0.0.0";
  int probePort = 7473;
  bool metricsInsecure = false;
  std::string tlsCertFile;
  std::string tlsKeyFile;
  spdlog::level::level_enum logLevel = spdlog::level::info;
  util::LogFormat logFormat = util::LogFormat::kText;
  double kubeApiQps = kDefaultApiWriteQps;  // writes per second; 0 = no limit
  double kubeApiBurst = kDefaultApiWriteBurst;

  // The metrics and probe listeners as these flags ask (docs/metrics-endpoint.md).
  util::HealthServerOptions healthOptions(std::string tlsCommonName,
                                          util::RequestAuthorizer* authorizer) const;
};

// Adds the section "Common to both daemons", bound to `f` (which must outlive the table).
void addCommonFlags(FlagTable& table, CommonFlags& f);

}  // namespace ironlb::cli
