#include "controller/webhook/rotating_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ironlb::controller::webhook {

RotatingCertificate::~RotatingCertificate() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}

Status RotatingCertificate::init() {
  // The metrics endpoint's context; its placeholder certificate is never served: the callback
  // below replaces it on every connection, or fails the handshake.
  auto ctx = util::makeServerTlsContext("", "", "ironlb-webhook");
  if (!ctx) return makeError(ctx.error());
  ctx_ = std::move(*ctx);
  SSL_CTX_set_cert_cb(ctx_.get(), &RotatingCertificate::selectCertificate, this);
  return {};
}

Status RotatingCertificate::set(const std::string& certPem, const std::string& keyPem) {
  BIO* cb = BIO_new_mem_buf(certPem.data(), static_cast<int>(certPem.size()));
  X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
  BIO_free(cb);
  BIO* kb = BIO_new_mem_buf(keyPem.data(), static_cast<int>(keyPem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
  BIO_free(kb);
  const bool ok = cert && key && X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  if (!ok) {
    X509_free(cert);
    EVP_PKEY_free(key);
    return makeError("the webhook certificate and key do not load or do not match");
  }
  std::lock_guard lock(mu_);
  X509_free(cert_);
  EVP_PKEY_free(key_);
  cert_ = cert;
  key_ = key;
  pem_ = certPem;
  return {};
}

std::string RotatingCertificate::certPem() const {
  std::lock_guard lock(mu_);
  return pem_;
}

int RotatingCertificate::selectCertificate(SSL* ssl, void* arg) {
  auto* self = static_cast<RotatingCertificate*>(arg);
  std::lock_guard lock(self->mu_);
  if (!self->cert_) return 0;
  return SSL_use_cert_and_key(ssl, self->cert_, self->key_, nullptr, 1) == 1 ? 1 : 0;
}

}  // namespace ironlb::controller::webhook
