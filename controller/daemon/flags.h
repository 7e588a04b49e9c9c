#pragma once
// Command line of ironlb-controller (docs/flags.md): `--name=value` or `--name value`,
// every flag also from the environment as IRONLB_<NAME_UPPER_SNAKE> (the flag wins). Pure:
// the environment and the host name are passed in.
//
// Beyond the basic flags (all optional; every flag with its default: docs/flags.md):
//   --status-writers=N      Service status writes in flight at once, at most (default 32;
//                           fewer at first and while the API server answers 429, see
//                           status_writer_pool.h)
//   --lease-duration=D      leader election timing (defaults 15s / 10s / 2s, as client-go);
//   --renew-deadline=D      D is a number with ms, s or m
//   --retry-period=D
//   --probe-address=H:P     plain-HTTP /healthz and /readyz for the kubelet (default :7473)
//   --metrics-insecure      /metrics in plain HTTP without a token check (default: TLS plus
//                           TokenReview/SubjectAccessReview, docs/metrics-endpoint.md)
//   --tls-cert-file=PATH    certificate and key for /metrics (default: self-signed at start)
//   --tls-key-file=PATH
//   --release-hold=D        how long an IP a Service gave up because of an edit is kept from
//                           other Services (default 5m; 0 frees at once; docs/allocation.md)
//   --fault-status-write-delay=D  TESTS ONLY (fault injection): delay every status write by D
//                           (docs/leader-election.md)
//   --kube-api-qps=N        client-side limit on API writes per second, and its burst
//   --kube-api-burst=N      (defaults 1000 / 2000; 0 = no limit; docs/kubernetes-client.md)

#include <string>
#include <vector>

#include <spdlog/common.h>

#include "common/k8s/cluster_config.h"
#include "common/k8s/leader_election_core.h"
#include "common/k8s/token_bucket.h"
#include "common/util/logging.h"
#include "common/util/result.h"

namespace ironlb::controller {

struct ControllerFlags {
  std::string kubeconfig;  // "" = in-cluster (or $KUBECONFIG / ~/.kube/config outside a pod)
  std::string ns = "metallb-system";
  std::string lb_class;
  std::string metrics_host = "0.0.0.0";
  int metrics_port = 7472;  // 0 = any free port
  // Probe listener and metrics security (docs/metrics-endpoint.md).
  std::string probe_host = "0.0.0.0";
  int probe_port = 7473;
  bool metrics_insecure = false;
  std::string tls_cert_file;
  std::string tls_key_file;
  spdlog::level::level_enum log_level = spdlog::level::info;
  util::LogFormat log_format = util::LogFormat::kText;
  bool leader_elect = true;
  std::string lease_name = "ironlb-controller";
  // The Deployment in --namespace that owns the Lease (removed with it); "" = no owner.
  std::string lease_owner_deployment;
  std::string identity;
  int status_writers = 32;
  util::Duration release_hold = std::chrono::minutes(5);
  // Fault injection for tests only (--fault-status-write-delay): every Service status write
  // waits this long on its writer thread before it is sent (a slow or paused writer).
  util::Duration fault_status_write_delay{0};
  double kube_api_qps = k8s::kDefaultApiWriteQps;  // writes per second; 0 = no limit
  double kube_api_burst = k8s::kDefaultApiWriteBurst;
  k8s::LeaderElectionTiming lease_timing{};
};

struct ParsedFlags {
  bool help = false;  // --help / -h: print usageText() and exit 0
  ControllerFlags flags;
};

// `args` excludes the program name. `hostname` is the identity of last resort.
Result<ParsedFlags> parseFlags(const std::vector<std::string>& args, const k8s::EnvLookup& env,
                               const std::string& hostname);

std::string usageText();

}  // namespace ironlb::controller
