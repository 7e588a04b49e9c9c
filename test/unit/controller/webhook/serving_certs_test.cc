// docs/webhook.md, "Certificates": the CA and serving certificate the controller makes, and when
// it renews them (on a ManualClock: no waiting for a year).
#include "controller/webhook/serving_certs.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace ironlb::controller::webhook {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kNames = serviceDnsNames("ironlb-webhook", "metallb-system");

std::shared_ptr<X509> parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return {cert, X509_free};
}

TEST(WebhookCertGeneration, NamesAreTheServiceDnsNames) {
  EXPECT_EQ(kNames, (std::vector<std::string>{"ironlb-webhook.metallb-system.svc",
                                              "ironlb-webhook.metallb-system.svc.cluster.local"}));
}

TEST(WebhookCertGeneration, LeafHasTheSansAndTheValidityAndIsSignedByTheCa) {
  util::ManualClock clock;
  const util::WallTime now = clock.wallNow();
  auto bundle = makeCertBundle(kNames, now);
  ASSERT_TRUE(bundle) << bundle.error();
  auto leaf = inspectCert(bundle->certPem);
  auto ca = inspectCert(bundle->caCertPem);
  ASSERT_TRUE(leaf && ca);
  EXPECT_EQ(leaf->dnsNames, kNames);
  EXPECT_FALSE(leaf->isCa);
  EXPECT_TRUE(ca->isCa);
  EXPECT_EQ(leaf->notBefore,
            std::chrono::time_point_cast<std::chrono::seconds>(now - kCertBackdate));
  EXPECT_EQ(leaf->notAfter,
            std::chrono::time_point_cast<std::chrono::seconds>(now + kCertValidity));
  EXPECT_EQ(ca->notAfter, leaf->notAfter);

  // Verified the way a TLS client (the API server) does: a chain to the CA, for the name.
  auto caCert = parse(bundle->caCertPem);
  auto leafCert = parse(bundle->certPem);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), caCert.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  ASSERT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), leafCert.get(), nullptr), 1);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(
                                        std::chrono::time_point_cast<std::chrono::seconds>(now)));
  X509_VERIFY_PARAM_set1_host(param, kNames[0].c_str(), 0);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1)
      << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));

  // A second bundle is a different CA: the first one's leaf does not chain to it.
  auto other = makeCertBundle(kNames, now);
  ASSERT_TRUE(other);
  EXPECT_NE(other->caCertPem, bundle->caCertPem);
  CertBundle mixed = *bundle;
  mixed.caCertPem = other->caCertPem;
  EXPECT_EQ(renewalReason(mixed, kNames, now), "the serving certificate is not signed by the CA");
}

TEST(WebhookCertGeneration, IpAddressesBecomeIpSans) {
  util::ManualClock clock;
  std::vector<std::string> names = kNames;
  names.push_back("127.0.0.1");
  names.push_back("2001:db8::1");
  auto bundle = makeCertBundle(names, clock.wallNow());
  ASSERT_TRUE(bundle) << bundle.error();
  auto leaf = inspectCert(bundle->certPem);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->dnsNames, names);
  EXPECT_EQ(X509_check_ip_asc(parse(bundle->certPem).get(), "127.0.0.1", 0), 1);
}

TEST(WebhookCertGeneration, AnEmptyNameListIsAnError) {
  util::ManualClock clock;
  auto bundle = makeCertBundle({}, clock.wallNow());
  ASSERT_FALSE(bundle);
  EXPECT_NE(bundle.error().find("DNS name"), std::string::npos);
}

TEST(WebhookCertRotation, RenewsOnlyWithinTheMarginBeforeExpiry) {
  util::ManualClock clock;
  auto bundle = makeCertBundle(kNames, clock.wallNow());
  ASSERT_TRUE(bundle);
  EXPECT_EQ(renewalReason(*bundle, kNames, clock.wallNow()), "");
  // One second before the margin starts: still fine.
  clock.advance(kCertValidity - kCertRenewBefore - 1s);
  EXPECT_EQ(renewalReason(*bundle, kNames, clock.wallNow()), "");
  clock.advance(1s);
  EXPECT_EQ(renewalReason(*bundle, kNames, clock.wallNow()),
            "the serving certificate expires within the renewal margin");
  // Long expired: still renewed (the controller may have been down for months).
  clock.advance(kCertValidity * 3);
  EXPECT_NE(renewalReason(*bundle, kNames, clock.wallNow()), "");
}

TEST(WebhookCertRotation, RenewsWhatIsUnusable) {
  util::ManualClock clock;
  const util::WallTime now = clock.wallNow();
  auto bundle = makeCertBundle(kNames, now);
  ASSERT_TRUE(bundle);
  CertBundle broken = *bundle;
  broken.certPem = "garbage";
  EXPECT_NE(renewalReason(broken, kNames, now).find("serving certificate is unreadable"),
            std::string::npos);
  broken = *bundle;
  broken.keyPem = makeCertBundle(kNames, now)->keyPem;
  EXPECT_EQ(renewalReason(broken, kNames, now), "the serving key does not match its certificate");
  EXPECT_EQ(renewalReason(*bundle, serviceDnsNames("renamed", "metallb-system"), now),
            "the serving certificate is for other DNS names");
  // Made by a clock far ahead of ours (a skewed replica): not valid yet here.
  auto ahead = makeCertBundle(kNames, now + 24h);
  EXPECT_EQ(renewalReason(*ahead, kNames, now), "the serving certificate is not valid yet");
}

TEST(WebhookCertRotation, TheBundleKeepsPreviousCasUntilTheyExpire) {
  util::ManualClock clock;
  auto old = makeCertBundle(kNames, clock.wallNow(), 10 * 24h);
  clock.advance(24h);
  auto fresh = makeCertBundle(kNames, clock.wallNow());
  ASSERT_TRUE(old && fresh);
  const std::string bundle = fresh->caCertPem + unexpiredCerts(old->caCertPem, clock.wallNow());
  EXPECT_EQ(bundle, fresh->caCertPem + old->caCertPem);
  clock.advance(10 * 24h);  // the old CA has expired
  EXPECT_EQ(unexpiredCerts(bundle, clock.wallNow()), fresh->caCertPem);
  EXPECT_EQ(unexpiredCerts("not pem", clock.wallNow()), "");
}

}  // namespace
}  // namespace ironlb::controller::webhook
