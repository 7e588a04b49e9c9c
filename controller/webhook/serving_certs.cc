#include "controller/webhook/serving_certs.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace ironlb::controller::webhook {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

std::string sslError(const std::string& what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

std::time_t toTimeT(util::WallTime t) {
  return std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
}

Result<util::WallTime> fromAsn1(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return makeError("unreadable certificate time");
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

bool addExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` named `cn`, signed by `issuerKey` (self-signed when issuer is null).
Result<Cert> makeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuerKey,
                      util::WallTime now, util::Duration validity,
                      const std::vector<std::pair<int, std::string>>& extensions) {
  Cert cert(X509_new());
  if (!cert) return makeError(sslError("cannot create a certificate"));
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return makeError(sslError("no random serial"));
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  const auto from = toTimeT(now - kCertBackdate);
  const auto to = toTimeT(now + validity);
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), from) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), to)) {
    return makeError(sslError("cannot set the validity"));
  }
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  for (const auto& [nid, value] : extensions) {
    if (!addExt(cert.get(), issuer ? issuer : cert.get(), nid, value)) {
      return makeError(sslError("cannot add extension " + value));
    }
  }
  if (X509_sign(cert.get(), issuerKey, EVP_sha256()) <= 0) {
    return makeError(sslError("cannot sign the certificate"));
  }
  return cert;
}

std::string certPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Result<Cert> readCert(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return makeError(sslError("not a PEM certificate"));
  return cert;
}

bool isIpAddress(const std::string& text) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, text.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

}  // namespace

std::vector<std::string> serviceDnsNames(const std::string& service, const std::string& ns) {
  const std::string base = service + "." + ns + ".svc";
  return {base, base + ".cluster.local"};
}

Result<CertBundle> makeCertBundle(const std::vector<std::string>& dnsNames, util::WallTime now,
                                  util::Duration validity) {
  if (dnsNames.empty()) return makeError("a serving certificate needs a DNS name");
  Key caKey(EVP_EC_gen("P-256"));
  Key key(EVP_EC_gen("P-256"));
  if (!caKey || !key) return makeError(sslError("cannot generate a key"));
  auto ca = makeCert(caKey.get(), "ironlb-webhook-ca", nullptr, caKey.get(), now, validity,
                     {{NID_basic_constraints, "critical,CA:TRUE"},
                      {NID_key_usage, "critical,keyCertSign,cRLSign"},
                      {NID_subject_key_identifier, "hash"}});
  if (!ca) return makeError(ca.error());
  std::string san;
  for (const std::string& n : dnsNames)
    san += (san.empty() ? "" : ",") + std::string(isIpAddress(n) ? "IP:" : "DNS:") + n;
  auto leaf = makeCert(key.get(), dnsNames.front(), ca->get(), caKey.get(), now, validity,
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature"},
                        {NID_ext_key_usage, "serverAuth"},
                        {NID_authority_key_identifier, "keyid:always"},
                        {NID_subject_alt_name, san}});
  if (!leaf) return makeError(leaf.error());
  CertBundle out;
  out.caCertPem = certPem(ca->get());
  out.certPem = certPem(leaf->get());
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return makeError(sslError("cannot write the key"));
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  out.keyPem.assign(data, static_cast<std::size_t>(n));
  return out;
}

Result<CertFacts> inspectCert(const std::string& pem) {
  auto cert = readCert(pem);
  if (!cert) return makeError(cert.error());
  auto from = fromAsn1(X509_get0_notBefore(cert->get()));
  auto to = fromAsn1(X509_get0_notAfter(cert->get()));
  if (!from || !to) return makeError("unreadable certificate validity");
  CertFacts facts{*from, *to, {}, X509_check_ca(cert->get()) == 1};
  std::unique_ptr<GENERAL_NAMES, Free> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    if (g->type == GEN_DNS) {
      const ASN1_IA5STRING* s = g->d.dNSName;
      facts.dnsNames.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                  static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (g->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = g->d.iPAddress;
      const int len = ASN1_STRING_length(ip);
      char text[INET6_ADDRSTRLEN] = {};
      if ((len == 4 || len == 16) && ::inet_ntop(len == 4 ? AF_INET : AF_INET6,
                                                 ASN1_STRING_get0_data(ip), text, sizeof text)) {
        facts.dnsNames.emplace_back(text);
      }
    }
  }
  return facts;
}

std::string renewalReason(const CertBundle& bundle, const std::vector<std::string>& dnsNames,
                          util::WallTime now, util::Duration renewBefore) {
  auto ca = readCert(bundle.caCertPem);
  auto cert = readCert(bundle.certPem);
  if (!ca) return "the CA certificate is unreadable: " + ca.error();
  if (!cert) return "the serving certificate is unreadable: " + cert.error();
  Bio bio(BIO_new_mem_buf(bundle.keyPem.data(), static_cast<int>(bundle.keyPem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return "the serving key is unreadable";
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    ERR_clear_error();
    return "the serving key does not match its certificate";
  }
  Key caPublic(X509_get_pubkey(ca->get()));
  if (!caPublic || X509_verify(cert->get(), caPublic.get()) != 1) {
    ERR_clear_error();
    return "the serving certificate is not signed by the CA";
  }
  for (const std::string* pem : {&bundle.certPem, &bundle.caCertPem}) {
    auto facts = inspectCert(*pem);
    const char* which = pem == &bundle.certPem ? "serving certificate" : "CA certificate";
    if (!facts) return std::string("the ") + which + " is unreadable: " + facts.error();
    if (now < facts->notBefore) return std::string("the ") + which + " is not valid yet";
    if (now + renewBefore >= facts->notAfter) {
      return std::string("the ") + which + " expires within the renewal margin";
    }
    if (pem == &bundle.certPem && facts->dnsNames != dnsNames) {
      return "the serving certificate is for other DNS names";
    }
  }
  return "";
}

std::string unexpiredCerts(const std::string& pem, util::WallTime now) {
  std::string out;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  for (;;) {
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    auto to = fromAsn1(X509_get0_notAfter(cert.get()));
    if (to && now < *to) out += certPem(cert.get());
  }
  ERR_clear_error();
  return out;
}

}  // namespace ironlb::controller::webhook
