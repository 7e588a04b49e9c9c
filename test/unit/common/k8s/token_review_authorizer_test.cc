#include "common/k8s/token_review_authorizer.h"

#include <gtest/gtest.h>

#include "common/k8s/testing/fake_transport.h"

namespace ironlb::k8s {
namespace {

using testing::FakeTransport;
using testing::statusBody;
using util::AuthVerdict;

constexpr const char* kTr = "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr const char* kSar = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

const std::string kPrometheus =
    R"({"status":{"authenticated":true,"user":{"username":"system:serviceaccount:mon:prom",)"
    R"("uid":"u-1","groups":["system:serviceaccounts","system:authenticated"]}}})";

class TokenReviewAuthorizerTest : public ::testing::Test {
 protected:
  FakeTransport transport_;
  ApiClient api_{transport_};
  util::ManualClock clock_;
  TokenReviewAuthorizer authz_{api_, clock_, {.ttl = std::chrono::seconds(10), .maxEntries = 3}};
};

TEST_F(TokenReviewAuthorizerTest, AllowedWhenTheReviewsSaySo) {
  transport_.respond("POST", kTr, 201, kPrometheus);
  transport_.respond("POST", kSar, 201, R"({"status":{"allowed":true}})");
  auto d = authz_.authorize("tok", "/metrics", "get");
  EXPECT_EQ(d.verdict, AuthVerdict::kAllowed) << d.reason;
  const auto reqs = transport_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const Json tr = Json::parse(reqs[0].body);
  EXPECT_EQ(tr["kind"], "TokenReview");
  EXPECT_EQ(tr["spec"]["token"], "tok");
  const Json sar = Json::parse(reqs[1].body);
  EXPECT_EQ(sar["kind"], "SubjectAccessReview");
  EXPECT_EQ(sar["spec"]["user"], "system:serviceaccount:mon:prom");
  EXPECT_EQ(sar["spec"]["uid"], "u-1");
  EXPECT_EQ(sar["spec"]["groups"][0], "system:serviceaccounts");
  EXPECT_EQ(sar["spec"]["nonResourceAttributes"], Json({{"path", "/metrics"}, {"verb", "get"}}));
}

TEST_F(TokenReviewAuthorizerTest, UnauthenticatedTokenStopsBeforeTheAccessReview) {
  transport_.respond("POST", kTr, 201,
                     R"({"status":{"authenticated":false,"error":"token expired"}})");
  auto d = authz_.authorize("old", "/metrics", "get");
  EXPECT_EQ(d.verdict, AuthVerdict::kUnauthenticated);
  EXPECT_NE(d.reason.find("token expired"), std::string::npos) << d.reason;
  EXPECT_EQ(transport_.count("POST", kSar), 0u);
}

TEST_F(TokenReviewAuthorizerTest, DeniedAccessIsForbiddenAndNamesTheUser) {
  transport_.respond("POST", kTr, 201, kPrometheus);
  transport_.respond("POST", kSar, 201, R"({"status":{"allowed":false}})");
  auto d = authz_.authorize("tok", "/metrics", "get");
  EXPECT_EQ(d.verdict, AuthVerdict::kForbidden);
  EXPECT_NE(d.reason.find("system:serviceaccount:mon:prom"), std::string::npos) << d.reason;
}

TEST_F(TokenReviewAuthorizerTest, DecisionsAreCachedForTheTtlOnly) {
  for (int round = 0; round < 2; ++round) {
    transport_.respond("POST", kTr, 201, kPrometheus);
    transport_.respond("POST", kSar, 201, R"({"status":{"allowed":true}})");
  }
  EXPECT_EQ(authz_.authorize("tok", "/metrics", "get").verdict, AuthVerdict::kAllowed);
  clock_.advance(std::chrono::seconds(9));
  EXPECT_EQ(authz_.authorize("tok", "/metrics", "get").verdict, AuthVerdict::kAllowed);
  EXPECT_EQ(transport_.count("POST", kTr), 1u);  // the second came from the cache
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(authz_.authorize("tok", "/metrics", "get").verdict, AuthVerdict::kAllowed);
  EXPECT_EQ(transport_.count("POST", kTr), 2u);  // expired: asked again
}

TEST_F(TokenReviewAuthorizerTest, FailuresAreNotCached) {
  transport_.respond("POST", kTr, 503, statusBody(503, "ServiceUnavailable", "etcd down"));
  EXPECT_EQ(authz_.authorize("tok", "/metrics", "get").verdict, AuthVerdict::kUnavailable);
  transport_.respond("POST", kTr, 201, kPrometheus);
  transport_.respond("POST", kSar, 201, R"({"status":{"allowed":true}})");
  EXPECT_EQ(authz_.authorize("tok", "/metrics", "get").verdict, AuthVerdict::kAllowed);
  EXPECT_EQ(authz_.cachedEntries(), 1u);
}

TEST_F(TokenReviewAuthorizerTest, TheCacheNeverHoldsMoreThanMaxEntries) {
  transport_.setFallback([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{201, {}, R"({"status":{"authenticated":false}})"};
  });
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(authz_.authorize("made-up-" + std::to_string(i), "/metrics", "get").verdict,
              AuthVerdict::kUnauthenticated);
    EXPECT_LE(authz_.cachedEntries(), 3u);
  }
  EXPECT_EQ(authz_.cachedEntries(), 3u);
}

}  // namespace
}  // namespace ironlb::k8s
