// Test PKI over OpenSSL.
#include "test_pki.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace ironlb::k8s::testing {
namespace {

std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::shared_ptr<EVP_PKEY> newKey() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (!k) throw std::runtime_error("EVP_EC_gen failed");
  return std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free);
}

void addExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

TestCert finish(std::shared_ptr<X509> cert, std::shared_ptr<EVP_PKEY> key) {
  TestCert out{cert, key, "", ""};
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, cert.get());
  out.certPem = bioText(b);
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.keyPem = bioText(b);
  BIO_free(b);
  return out;
}

std::shared_ptr<X509> newCert(const std::string& cn, EVP_PKEY* key) {
  static long serial = 1;
  std::shared_ptr<X509> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 365);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

}  // namespace

TestCert makeCa(const std::string& commonName) {
  auto key = newKey();
  auto cert = newCert(commonName, key.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  addExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExt(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return finish(cert, key);
}

TestCert makeLeaf(const TestCert& issuer, const std::string& commonName, const std::string& sans,
                  bool serverAuth) {
  auto key = newKey();
  auto cert = newCert(commonName, key.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer.cert.get()));
  addExt(cert.get(), issuer.cert.get(), NID_basic_constraints, "CA:FALSE");
  addExt(cert.get(), issuer.cert.get(), NID_key_usage, "critical,digitalSignature");
  addExt(cert.get(), issuer.cert.get(), NID_ext_key_usage,
         serverAuth ? "serverAuth" : "clientAuth");
  if (!sans.empty()) addExt(cert.get(), issuer.cert.get(), NID_subject_alt_name, sans);
  X509_sign(cert.get(), issuer.key.get(), EVP_sha256());
  return finish(cert, key);
}

}  // namespace ironlb::k8s::testing
