#include "common/k8s/api_error.h"

#include <gtest/gtest.h>

#include "common/k8s/testing/fake_transport.h"

namespace ironlb::k8s {
namespace {

using testing::statusBody;

TEST(ApiErrorTest, DecodesKubernetesStatus) {
  const ApiError e = apiErrorFromResponse(
      "PUT", "/api/v1/namespaces/a/services/b/status", 409,
      statusBody(409, "Conflict", "Operation cannot be fulfilled: the object has been modified"));
  EXPECT_TRUE(e.isConflict());
  EXPECT_FALSE(e.isAlreadyExists());
  EXPECT_EQ(e.reason, "Conflict");
  EXPECT_EQ(e.describe(),
            "PUT /api/v1/namespaces/a/services/b/status: 409 Conflict: Operation cannot be "
            "fulfilled: the object has been modified");
}

TEST(ApiErrorTest, PredicatesFollowCodeAndReason) {
  struct Case {
    int code;
    const char* reason;
    bool notFound, conflict, exists, gone, forbidden, invalid, retryable;
  };
  const Case cases[] = {
      {404, "NotFound", true, false, false, false, false, false, false},
      {409, "Conflict", false, true, false, false, false, false, false},
      {409, "AlreadyExists", false, false, true, false, false, false, false},
      {410, "Expired", false, false, false, true, false, false, false},
      {403, "Forbidden", false, false, false, false, true, false, false},
      {422, "Invalid", false, false, false, false, false, true, false},
      {429, "TooManyRequests", false, false, false, false, false, false, true},
      {503, "ServiceUnavailable", false, false, false, false, false, false, true},
      {500, "Expired", false, false, false, true, false, false, true},  // ERROR-event style
  };
  for (const auto& c : cases) {
    const ApiError e = apiErrorFromResponse("GET", "/x", c.code, statusBody(c.code, c.reason, ""));
    EXPECT_EQ(e.isNotFound(), c.notFound) << c.code << c.reason;
    EXPECT_EQ(e.isConflict(), c.conflict) << c.code << c.reason;
    EXPECT_EQ(e.isAlreadyExists(), c.exists) << c.code << c.reason;
    EXPECT_EQ(e.isGone(), c.gone) << c.code << c.reason;
    EXPECT_EQ(e.isForbidden(), c.forbidden) << c.code << c.reason;
    EXPECT_EQ(e.isInvalid(), c.invalid) << c.code << c.reason;
    EXPECT_EQ(e.isRetryable(), c.retryable) << c.code << c.reason;
  }
}

TEST(ApiErrorTest, NonStatusBodyGetsReasonFromCode) {
  const ApiError e = apiErrorFromResponse("GET", "/x", 502, "<html>\nbad gateway</html>");
  EXPECT_EQ(e.reason, "InternalError");
  EXPECT_EQ(e.message, "<html> bad gateway</html>");
  const ApiError nf = apiErrorFromResponse("GET", "/x", 404, "");
  EXPECT_TRUE(nf.isNotFound());
  EXPECT_EQ(nf.reason, "NotFound");
}

// Found by test/fuzz/watch_stream: a "kind" that is not a string threw out of the decoder (and
// would have ended an informer's thread).
TEST(ApiErrorTest, StatusLookalikeWithWrongTypesDoesNotThrow) {
  for (const char* body :
       {R"({"kind":410,"reason":"Expired"})", R"({"kind":null})", R"({"kind":["Status"]})",
        R"({"kind":"Status","reason":7,"message":[]})"}) {
    const ApiError e = apiErrorFromResponse("GET", "/x", 410, body);
    EXPECT_EQ(e.code, 410) << body;
    EXPECT_EQ(e.reason, "Gone") << body;
  }
}

TEST(ApiErrorTest, ForbiddenMessageSaysWhatToCheck) {
  const ApiError e = apiErrorFromResponse(
      "LIST", "/api/v1/secrets", 403,
      statusBody(403, "Forbidden", "secrets is forbidden: User \"system:serviceaccount:a:b\""));
  EXPECT_NE(e.describe().find("RBAC"), std::string::npos);
  EXPECT_NE(e.describe().find("system:serviceaccount:a:b"), std::string::npos);
}

TEST(ApiErrorTest, RetryAfterFromDetails) {
  const ApiError e = apiErrorFromResponse(
      "GET", "/x", 429,
      R"({"kind":"Status","code":429,"reason":"TooManyRequests","details":{"retryAfterSeconds":3}})");
  EXPECT_EQ(e.retryAfter, std::chrono::seconds(3));
}

TEST(ApiErrorTest, TransportErrors) {
  ApiError e;
  e.method = "GET";
  e.path = "/api";
  e.message = "API server https://x: cannot connect";
  e.reason = "Transport";
  EXPECT_TRUE(e.isTransport());
  EXPECT_TRUE(e.isRetryable());
  EXPECT_FALSE(e.isCancelled());
  EXPECT_EQ(e.describe(), "GET /api: API server https://x: cannot connect");
  e.reason = "Cancelled";
  EXPECT_TRUE(e.isCancelled());
  EXPECT_FALSE(e.isRetryable());
}

TEST(ApiErrorTest, ApiResultCarriesValueOrError) {
  ApiResult<int> ok = 3;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  EXPECT_TRUE(ok.status().ok());
  ApiResult<int> bad = apiErrorFromResponse("GET", "/x", 404, "");
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().isNotFound());
  EXPECT_EQ(bad.status().error(), "GET /x: 404 NotFound");
  ApiResult<void> v;
  EXPECT_TRUE(v.ok());
}

}  // namespace
}  // namespace ironlb::k8s
