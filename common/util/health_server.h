#pragma once
// Health and metrics HTTP endpoints of the daemons (docs/metrics-endpoint.md):
//  - the metrics listener (--metrics-address, default :7472): GET/HEAD /metrics over TLS with a
//    bearer token checked by the injected RequestAuthorizer (TokenReview + SubjectAccessReview in
//    the daemons), or over plain HTTP without a check only when `insecure` is set; it also
//    answers /healthz and /readyz without a token, as Kubernetes components do;
//  - the probe listener (--probe-address, default :7473): plain HTTP, GET/HEAD /healthz and
//    /readyz only, for the kubelet; its own thread and connection cap, so nothing done to the
//    metrics port slows a probe down.
// Both are BoundedHttpServers (bounded_http_server.h): no bodies, capped heads, deadlines, a
// connection cap that evicts the longest-idle connection instead of refusing new ones.
// The callbacks run on the servers' threads and therefore must be thread-safe (ReadinessFlag is
// a ready-made one).
//
//   HealthServer server(registry, [&flag] { return flag.get(); });
//   HealthServerOptions o{.port = 7472, .probePort = 7473, .authorizer = &authorizer};
//   if (auto st = server.start(o); !st) fail(st.error());
//   server.stop();   // also done by the destructor

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/util/bounded_http_server.h"
#include "common/util/metrics.h"
#include "common/util/request_authorizer.h"
#include "common/util/result.h"
#include "common/util/tls_context.h"

namespace ironlb::util {

struct HealthState {
  bool ok = true;
  std::string reason{};  // shown in the body when !ok, e.g. "informer services not synced"
};

// Evaluated on the server thread for every probe.
using HealthCheck = std::function<HealthState()>;

// A thread-safe readiness value the logic thread sets and the server thread reads.
class ReadinessFlag {
 public:
  explicit ReadinessFlag(std::string initialReason = "starting");
  void setReady();
  void setNotReady(std::string reason);
  HealthState get() const;

 private:
  mutable std::mutex mu_;
  HealthState state_;
};

struct HealthServerOptions {
  std::string bindAddress = "0.0.0.0";
  int port = 7472;  // metrics listener; 0 = an ephemeral port; read it back with port()
  std::string probeBindAddress = "0.0.0.0";
  int probePort = -1;  // probe listener; -1 = none, 0 = ephemeral (probePort())
  // Plain HTTP and no token check on /metrics (an operator's explicit choice).
  bool insecure = false;
  // TLS certificate and key (PEM files); both empty = a self-signed certificate made at start.
  std::string tlsCertFile{};
  std::string tlsKeyFile{};
  std::string tlsCommonName = "localhost";
  // Required unless insecure; must outlive the server.
  RequestAuthorizer* authorizer = nullptr;
  HttpLimits limits{};
};

class HealthServer {
 public:
  // `liveness` defaults to always-ok (the process answering is the signal).
  HealthServer(const MetricsRegistry& registry, HealthCheck readiness,
               HealthCheck liveness = nullptr);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Binds both listeners, then serves. Fails (naming the address or the TLS flag) when a
  // listener cannot be bound or the TLS material cannot be loaded.
  Status start(const HealthServerOptions& options);
  // Stops serving and joins the threads. Idempotent.
  void stop();
  // The bound ports, valid after a successful start().
  int port() const { return metrics_ ? metrics_->port() : 0; }
  int probePort() const { return probes_ ? probes_->port() : 0; }

 private:
  HttpReply probe(const RequestHead& head);
  HttpReply serveMetrics(const RequestHead& head);

  const MetricsRegistry& registry_;
  HealthCheck readiness_;
  HealthCheck liveness_;
  bool insecure_ = false;
  RequestAuthorizer* authorizer_ = nullptr;
  SslCtxPtr tls_;
  std::unique_ptr<BoundedHttpServer> metrics_;
  std::unique_ptr<BoundedHttpServer> probes_;
};

}  // namespace ironlb::util
