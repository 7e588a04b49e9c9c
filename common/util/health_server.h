#pragma once
// Health and metrics HTTP server for the daemons: GET /metrics (Prometheus text), /healthz
// (liveness) and /readyz (readiness). Runs cpp-httplib's server on its own thread; nothing here
// touches the logic thread except through the callbacks below, which run on the server thread
// and therefore must be thread-safe (ReadinessFlag is a ready-made one).
//
//   HealthServer server(registry, [&flag] { return flag.get(); });
//   if (auto st = server.start({.bindAddress = "0.0.0.0", .port = 7472}); !st) fail(st.error());
//   ... server.port() is the bound port (useful with port 0) ...
//   server.stop();   // also done by the destructor

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/util/metrics.h"
#include "common/util/result.h"

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
  int port = 7472;  // 0 = an ephemeral port; read it back with port()
};

class HealthServer {
 public:
  // `liveness` defaults to always-ok (the process answering is the signal).
  HealthServer(const MetricsRegistry& registry, HealthCheck readiness,
               HealthCheck liveness = nullptr);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Binds, then serves on a new thread. Fails (with the address in the message) when the address
  // cannot be bound. Returns only once the server accepts connections.
  Status start(const HealthServerOptions& options);
  // Stops serving and joins the thread. Idempotent.
  void stop();
  // The bound port, valid after a successful start().
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ironlb::util
