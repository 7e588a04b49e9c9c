// HealthServer: the routes of the metrics and probe listeners (docs/metrics-endpoint.md).
#include "common/util/health_server.h"

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

namespace {

HttpReply text(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

bool isGetOrHead(const RequestHead& head) {
  return head.method == "GET" || head.method == "HEAD";
}

HttpReply methodNotAllowed() {
  HttpReply r = text(405, "only GET and HEAD are served\n");
  r.extraHeaders = "Allow: GET, HEAD\r\n";
  r.close = true;
  return r;
}

HttpReply answerProbe(const HealthCheck& check, const char* what) {
  HealthState state = check ? check() : HealthState{};
  if (state.ok) return text(200, "ok\n");
  return text(503,
              std::string(what) + ": " + (state.reason.empty() ? "unknown" : state.reason) + "\n");
}

}  // namespace

HealthServer::HealthServer(const MetricsRegistry& registry, HealthCheck readiness,
                           HealthCheck liveness)
    : registry_(registry), readiness_(std::move(readiness)), liveness_(std::move(liveness)) {}

HealthServer::~HealthServer() {
  stop();
}

HttpReply HealthServer::probe(const RequestHead& head) {
  if (!isGetOrHead(head)) return methodNotAllowed();
  if (head.path == "/healthz") return answerProbe(liveness_, "not healthy");
  if (head.path == "/readyz") return answerProbe(readiness_, "not ready");
  return text(404, "not found\n");
}

HttpReply HealthServer::serveMetrics(const RequestHead& head) {
  if (head.path != "/metrics") return probe(head);
  if (!isGetOrHead(head)) return methodNotAllowed();
  if (!insecure_) {
    if (head.bearerToken.empty()) {
      HttpReply r = text(401, "Unauthorized: a bearer token is required\n");
      r.extraHeaders = "WWW-Authenticate: Bearer realm=\"ironlb\"\r\n";
      return r;
    }
    AuthDecision d = authorizer_->authorize(head.bearerToken, head.path, "get");
    switch (d.verdict) {
      case AuthVerdict::kAllowed:
        break;
      case AuthVerdict::kUnauthenticated: {
        HttpReply r = text(401, "Unauthorized: " + d.reason + "\n");
        r.extraHeaders = "WWW-Authenticate: Bearer realm=\"ironlb\"\r\n";
        return r;
      }
      case AuthVerdict::kForbidden:
        return text(403, "Forbidden: " + d.reason + "\n");
      case AuthVerdict::kUnavailable:
        return text(503, "cannot check the token now: " + d.reason + "\n");
    }
  }
  HttpReply r = text(200, registry_.render());
  r.contentType = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

Status HealthServer::start(const HealthServerOptions& options) {
  if (metrics_) return makeError("health server already started");
  insecure_ = options.insecure;
  authorizer_ = options.authorizer;
  if (!insecure_ && !authorizer_) {
    return makeError("metrics server: TLS metrics need an authorizer (or insecure mode)");
  }
  if (!insecure_) {
    auto ctx = makeServerTlsContext(options.tlsCertFile, options.tlsKeyFile, options.tlsCommonName);
    if (!ctx) return makeError("metrics server: " + ctx.error());
    tls_ = std::move(*ctx);
  }
  auto metrics = std::make_unique<BoundedHttpServer>(
      "metrics", [this](const RequestHead& h) { return serveMetrics(h); }, options.limits);
  if (auto st = metrics->start(options.bindAddress, options.port, tls_.get()); !st) return st;
  if (options.probePort >= 0) {
    auto probes = std::make_unique<BoundedHttpServer>(
        "probe", [this](const RequestHead& h) { return probe(h); }, options.limits);
    if (auto st = probes->start(options.probeBindAddress, options.probePort); !st) return st;
    probes_ = std::move(probes);
  }
  metrics_ = std::move(metrics);
  return {};
}

void HealthServer::stop() {
  if (probes_) probes_->stop();
  if (metrics_) metrics_->stop();
}

}  // namespace ironlb::util
