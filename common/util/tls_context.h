#pragma once
// TLS server context for the metrics endpoint (docs/metrics-endpoint.md): the certificate and
// key from PEM files, or, when none are given, a self-signed certificate made in memory at start
// (as Kubernetes components do), so metrics are never sent in clear by default.

#include <memory>
#include <string>

#include "common/util/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace ironlb::util {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// Both paths empty: self-signed (P-256, one year, CN and DNS SAN = `commonName`). Exactly one
// given: an error naming the missing flag. Minimum protocol TLS 1.2.
Result<SslCtxPtr> makeServerTlsContext(const std::string& certFile, const std::string& keyFile,
                                       const std::string& commonName);

}  // namespace ironlb::util
