#pragma once
// The webhook's certificates (docs/webhook.md, "Certificates"): a self-signed CA and a serving
// certificate it signs for the webhook Service's DNS names, made by the controller itself with
// OpenSSL (no cert-manager, no init job). The CA's private key is dropped right after signing:
// a renewal makes a new pair, and the caBundle keeps the previous CA until it expires so that
// replicas still serving the old certificate keep working during the switch.
//
// Times come from the caller (util::Clock::wallNow()), so renewal is decided on a ManualClock in
// tests. Everything here is PEM text in, PEM text or facts out.

#include <chrono>
#include <string>
#include <vector>

#include "common/util/clock.h"
#include "common/util/result.h"

namespace ironlb::controller::webhook {

// Certificates are valid for a year; renewed when less than 30 days are left (checked every
// --webhook-cert-check-interval), and kept valid from an hour before they were made (clock skew).
inline constexpr util::Duration kCertValidity = std::chrono::hours(24 * 365);
inline constexpr util::Duration kCertRenewBefore = std::chrono::hours(24 * 30);
inline constexpr util::Duration kCertBackdate = std::chrono::hours(1);

struct CertBundle {
  std::string caCertPem;
  std::string certPem;
  std::string keyPem;  // the serving certificate's key (PKCS#8)

  friend bool operator==(const CertBundle&, const CertBundle&) = default;
};

// <service>.<namespace>.svc and <service>.<namespace>.svc.cluster.local (first is the CN).
std::vector<std::string> serviceDnsNames(const std::string& service, const std::string& ns);

// A new CA (P-256, CA:TRUE) and a serving certificate it signs (P-256, serverAuth, the names as
// SANs: IP addresses as IP entries, the rest as DNS entries), both valid from now -
// kCertBackdate for `validity`.
Result<CertBundle> makeCertBundle(const std::vector<std::string>& dnsNames, util::WallTime now,
                                  util::Duration validity = kCertValidity);

struct CertFacts {
  util::WallTime notBefore;
  util::WallTime notAfter;
  std::vector<std::string> dnsNames;  // subjectAltName DNS and IP entries, in order
  bool isCa = false;
};
Result<CertFacts> inspectCert(const std::string& certPem);

// Why `bundle` must be replaced at `now`, or "" when it is fine: unreadable, a key that does
// not match, not signed by its CA, other DNS names than `dnsNames`, not yet valid, or less than
// `renewBefore` left on the certificate or its CA.
std::string renewalReason(const CertBundle& bundle, const std::vector<std::string>& dnsNames,
                          util::WallTime now, util::Duration renewBefore = kCertRenewBefore);

// The PEM certificates of `pem` that are still valid at `now` (drops expired ones and garbage),
// concatenated: the previous CA stays in the caBundle until it expires.
std::string unexpiredCerts(const std::string& pem, util::WallTime now);

}  // namespace ironlb::controller::webhook
