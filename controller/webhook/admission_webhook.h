#pragma once
// AdmissionWebhook: the validating admission webhook served by the controller
// (docs/webhook.md). An HTTPS BoundedHttpServer (bounded head, body, connections and time) on
// --webhook-address, its certificate kept by a CertManager, each request judged by
// handleAdmission against a fresh read of the stored objects of every kind the configuration is
// made of (configSources(): pools, L2Advertisements, BGP mode's kinds) in the install namespace.
// Readiness: the CertManager's (certificate served, caBundle patched).

#include <memory>
#include <string>

#include "common/k8s/api_client.h"
#include "common/util/bounded_http_server.h"
#include "common/util/clock.h"
#include "common/util/health_server.h"
#include "controller/webhook/cert_manager.h"
#include "controller/webhook/rotating_tls.h"

namespace ironlb::controller::webhook {

struct WebhookOptions {
  std::string bindHost = "0.0.0.0";
  int port = 9443;  // 0 = ephemeral (port())
  std::string installNamespace;
  CertManagerOptions certs{};
  // AdmissionReviews carry the object and its old version (each at most ~1.5 MB in etcd); the
  // API server calls with few connections and a timeout of --timeoutSeconds.
  util::HttpLimits limits{.maxHeadBytes = 16384,
                          .maxConnections = 32,
                          .headerTimeout = std::chrono::seconds(10),
                          .idleTimeout = std::chrono::seconds(90),
                          .writeTimeout = std::chrono::seconds(10),
                          .maxBodyBytes = 4 * 1024 * 1024};
};

class AdmissionWebhook {
 public:
  AdmissionWebhook(k8s::ApiClient& api, const util::Clock& clock, WebhookOptions options);
  ~AdmissionWebhook();
  AdmissionWebhook(const AdmissionWebhook&) = delete;
  AdmissionWebhook& operator=(const AdmissionWebhook&) = delete;

  // Binds the listener (fails naming the address) and starts the certificate rounds.
  Status start();
  void stop();
  int port() const { return server_ ? server_->port() : 0; }
  util::HealthState readiness() const { return certs_.readiness(); }

 private:
  k8s::ApiClient& api_;
  const util::Clock& clock_;
  const WebhookOptions options_;
  RotatingCertificate tls_;
  CertManager certs_;
  std::unique_ptr<util::BoundedHttpServer> server_;
};

}  // namespace ironlb::controller::webhook
