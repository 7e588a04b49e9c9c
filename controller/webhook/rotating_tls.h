#pragma once
// A TLS server context whose certificate can be replaced while it serves (docs/webhook.md,
// "Rotation"): every handshake picks up the certificate set last, so a renewal never needs a
// restart or a new listener. Until a certificate is set, handshakes fail (the webhook is not
// ready then anyway). The context's settings (TLS 1.2 minimum, no renegotiation) are those of
// the metrics endpoint (common/util/tls_context.h).

#include <openssl/ssl.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/util/result.h"
#include "common/util/tls_context.h"

namespace ironlb::controller::webhook {

class RotatingCertificate {
 public:
  RotatingCertificate() = default;
  ~RotatingCertificate();
  RotatingCertificate(const RotatingCertificate&) = delete;
  RotatingCertificate& operator=(const RotatingCertificate&) = delete;

  // Makes the context; call once before context().
  Status init();
  // Thread-safe. Fails (keeping the previous one) when the PEM texts do not load or match.
  Status set(const std::string& certPem, const std::string& keyPem);
  // The certificate being served, "" before the first set().
  std::string certPem() const;
  SSL_CTX* context() { return ctx_.get(); }

 private:
  static int selectCertificate(SSL* ssl, void* self);

  util::SslCtxPtr ctx_;
  mutable std::mutex mu_;
  std::string pem_;
  X509* cert_ = nullptr;
  EVP_PKEY* key_ = nullptr;
};

}  // namespace ironlb::controller::webhook
