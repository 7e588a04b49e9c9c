#pragma once
// In-memory PKI for TLS tests: a CA, certificates it signs (with IP/DNS subjectAltNames), PEM
// text for configs and X509/EVP_PKEY handles for httplib's SSLServer. OpenSSL 3 API.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace ironlb::k8s::testing {

struct TestCert {
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
  std::string certPem;
  std::string keyPem;
};

// A self-signed CA.
TestCert makeCa(const std::string& commonName);
// A leaf signed by `issuer`. `sans` in OpenSSL form ("IP:127.0.0.1,DNS:localhost"), may be "".
TestCert makeLeaf(const TestCert& issuer, const std::string& commonName, const std::string& sans,
                  bool serverAuth);

}  // namespace ironlb::k8s::testing
