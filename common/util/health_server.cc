// HealthServer over cpp-httplib (the only use of httplib's server in ironlb).
#include "common/util/health_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <utility>

namespace ironlb::util {

ReadinessFlag::ReadinessFlag(std::string initialReason) {
  state_.ok = false;
  state_.reason = std::move(initialReason);
}

void ReadinessFlag::setReady() {
  std::lock_guard lock(mu_);
  state_ = HealthState{true, ""};
}

void ReadinessFlag::setNotReady(std::string reason) {
  std::lock_guard lock(mu_);
  state_ = HealthState{false, std::move(reason)};
}

HealthState ReadinessFlag::get() const {
  std::lock_guard lock(mu_);
  return state_;
}

struct HealthServer::Impl {
  httplib::Server server;
  std::atomic<bool> listenReturned{false};
};

namespace {

void answerProbe(const HealthCheck& check, httplib::Response& res) {
  HealthState state = check ? check() : HealthState{};
  if (state.ok) {
    res.status = 200;
    res.set_content("ok\n", "text/plain; charset=utf-8");
  } else {
    res.status = 503;
    res.set_content("not ready: " + (state.reason.empty() ? "unknown" : state.reason) + "\n",
                    "text/plain; charset=utf-8");
  }
}

}  // namespace

HealthServer::HealthServer(const MetricsRegistry& registry, HealthCheck readiness,
                           HealthCheck liveness)
    : impl_(std::make_unique<Impl>()) {
  auto& srv = impl_->server;
  srv.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  srv.Get("/healthz",
          [live = std::move(liveness)](const httplib::Request&, httplib::Response& res) {
            answerProbe(live, res);
            if (res.status != 200) res.body = "not healthy" + res.body.substr(9);
          });
  srv.Get("/readyz",
          [ready = std::move(readiness)](const httplib::Request&, httplib::Response& res) {
            answerProbe(ready, res);
          });
  // httplib's default also sets SO_REUSEPORT, which would let a second daemon silently share
  // the port; keep only SO_REUSEADDR (fast restarts) so a clash is reported.
  srv.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Probes are tiny; short timeouts keep a stuck client from pinning a worker.
  srv.set_read_timeout(5, 0);
  srv.set_write_timeout(5, 0);
}

HealthServer::~HealthServer() {
  stop();
}

Status HealthServer::start(const HealthServerOptions& options) {
  if (thread_.joinable()) return makeError("health server already started");
  auto& srv = impl_->server;
  int bound = -1;
  if (options.port == 0) {
    bound = srv.bind_to_any_port(options.bindAddress);
  } else if (srv.bind_to_port(options.bindAddress, options.port)) {
    bound = options.port;
  }
  if (bound <= 0) {
    return makeError("health server: cannot listen on " + options.bindAddress + ":" +
                     std::to_string(options.port) +
                     " (address in use, not local, or not permitted)");
  }
  port_ = bound;
  impl_->listenReturned = false;
  thread_ = std::thread([this, &srv] {
    srv.listen_after_bind();
    impl_->listenReturned = true;
  });
  // httplib's stop() is a no-op until the accept loop runs, so stop() right after start() would
  // hang the join. Wait (briefly: the socket is already bound) until the loop is up.
  while (!srv.is_running() && !impl_->listenReturned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!srv.is_running()) {
    thread_.join();
    return makeError("health server: accept loop on " + options.bindAddress + ":" +
                     std::to_string(port_) + " failed to start");
  }
  return {};
}

void HealthServer::stop() {
  if (!thread_.joinable()) return;
  impl_->server.stop();
  thread_.join();
}

}  // namespace ironlb::util
