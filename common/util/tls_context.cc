#include "common/util/tls_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace ironlb::util {
namespace {

std::string sslError() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

Status selfSign(SSL_CTX* ctx, const std::string& commonName) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return makeError("cannot generate a key: " + sslError());
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return makeError("cannot create a certificate: " + sslError());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = "DNS:" + commonName;
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str())) {
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return makeError("cannot sign the certificate: " + sslError());
  }
  if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    return makeError("cannot use the self-signed certificate: " + sslError());
  }
  return {};
}

}  // namespace

void SslCtxDeleter::operator()(SSL_CTX* ctx) const {
  SSL_CTX_free(ctx);
}

Result<SslCtxPtr> makeServerTlsContext(const std::string& certFile, const std::string& keyFile,
                                       const std::string& commonName) {
  if (certFile.empty() != keyFile.empty()) {
    return makeError(certFile.empty() ? "--tls-key-file is set but --tls-cert-file is not"
                                      : "--tls-cert-file is set but --tls-key-file is not");
  }
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return makeError("cannot create a TLS context: " + sslError());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Idle connections hold no TLS buffers (up to 64 per listener may sit idle).
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (certFile.empty()) {
    if (auto st = selfSign(ctx.get(), commonName); !st) return makeError(st.error());
    return ctx;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), certFile.c_str()) != 1) {
    return makeError("--tls-cert-file=" + certFile + ": " + sslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    return makeError("--tls-key-file=" + keyFile + ": " + sslError());
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return makeError("--tls-key-file=" + keyFile + " does not match --tls-cert-file=" + certFile);
  }
  return ctx;
}

}  // namespace ironlb::util
