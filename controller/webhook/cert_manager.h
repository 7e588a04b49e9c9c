#pragma once
// CertManager: keeps the webhook's certificate and the API server's trust in it current
// (docs/webhook.md, "Certificates" and "caBundle"). On its own thread, every round:
//  1. read the Secret (--webhook-secret, in --namespace); absent: make a CA + serving
//     certificate and create it; 409 on create means another replica won: read theirs;
//  2. renew it when renewalReason() says so (at `clock.wallNow()`), keeping the previous CA in
//     the bundle until it expires; a 409 on the update means another replica renewed: re-read;
//  3. serve the Secret's certificate (RotatingCertificate::set);
//  4. patch clientConfig.caBundle of every webhook in the ValidatingWebhookConfiguration
//     (--webhook-configuration) that does not carry the bundle yet (JSON patch, guarded by a
//     test of the webhook's name);
//  5. ready once 3 and 4 hold. Next round after checkInterval, or retryInterval after a failure.
// Every replica runs one: they all serve, and converge on the one Secret.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/util/clock.h"
#include "common/util/health_server.h"
#include "controller/webhook/rotating_tls.h"
#include "controller/webhook/serving_certs.h"

namespace ironlb::controller::webhook {

// Secret data keys: the serving pair (kubernetes.io/tls) plus the CA that signed it and the
// caBundle to publish (that CA, then earlier CAs until they expire).
inline constexpr std::string_view kCertKey = "tls.crt";
inline constexpr std::string_view kKeyKey = "tls.key";
inline constexpr std::string_view kCaKey = "ca.crt";
inline constexpr std::string_view kBundleKey = "ca-bundle.crt";

struct CertManagerOptions {
  std::string ns;                 // the controller's namespace
  std::string secretName;         // --webhook-secret
  std::string serviceName;        // --webhook-service: the certificate's DNS names
  std::string configurationName;  // --webhook-configuration
  // --webhook-cert-hosts: more names or IPs for the certificate (a clientConfig.url's host).
  std::vector<std::string> extraHosts{};
  // The Deployment (in `ns`) made owner of a Secret this controller creates, so the garbage
  // collector removes it on uninstall; "" = no owner (--lease-owner-deployment).
  std::string ownerDeployment{};
  util::Duration checkInterval = std::chrono::minutes(1);
  util::Duration retryInterval = std::chrono::seconds(5);
  util::Duration validity = kCertValidity;
  util::Duration renewBefore = kCertRenewBefore;
};

class CertManager {
 public:
  CertManager(k8s::ApiClient& api, const util::Clock& clock, RotatingCertificate& serving,
              CertManagerOptions options);
  ~CertManager();
  CertManager(const CertManager&) = delete;
  CertManager& operator=(const CertManager&) = delete;

  void start();
  void stop();  // idempotent; joins the thread
  // Thread-safe: ready once serving the Secret's certificate with the caBundle patched.
  util::HealthState readiness() const;
  // One round (the thread calls it; tests may too).
  Status syncOnce();

 private:
  Result<k8s::Json> ensureSecret();
  Status patchCaBundle(const std::string& bundle);
  void setState(util::HealthState state);

  k8s::ApiClient& api_;
  const util::Clock& clock_;
  RotatingCertificate& serving_;
  const CertManagerOptions options_;
  const std::vector<std::string> dnsNames_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  util::HealthState state_{false, "webhook: certificate not loaded yet"};
  std::thread thread_;
};

}  // namespace ironlb::controller::webhook
