#include "common/k8s/status_writer.h"

#include <gtest/gtest.h>

#include "common/k8s/testing/fake_transport.h"

namespace ironlb::k8s {
namespace {

using testing::FakeTransport;
using testing::statusBody;

const std::string kPath = "/api/v1/namespaces/a/services/web";

std::string svcAt(const std::string& rv, const std::string& extra = "") {
  return R"({"metadata":{"name":"web","namespace":"a","resourceVersion":")" + rv + R"("},)" +
         R"("spec":{"type":"LoadBalancer")" + extra + R"(},"status":{}})";
}

Mutator setIngress(const std::string& ip, int* calls = nullptr) {
  return [ip, calls](Json& svc) {
    if (calls) ++*calls;
    Json want = Json::array({{{"ip", ip}}});
    if (svc["status"]["loadBalancer"]["ingress"] == want) return false;
    svc["status"]["loadBalancer"]["ingress"] = want;
    return true;
  };
}

TEST(StatusWriterTest, GetMutatePutWithTheVersionRead) {
  FakeTransport t;
  t.respond("GET", kPath, 200, svcAt("5"));
  t.respond("PUT", kPath + "/status", 200, svcAt("6"));
  ApiClient api(t);
  auto r = updateStatusWithRetry(api, resources::kServices, "a", "web", setIngress("192.0.2.1"));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)["metadata"]["resourceVersion"], "6");
  const auto reqs = t.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const Json put = Json::parse(reqs[1].body);
  EXPECT_EQ(put["metadata"]["resourceVersion"], "5");
  EXPECT_EQ(put["status"]["loadBalancer"]["ingress"][0]["ip"], "192.0.2.1");
  EXPECT_EQ(put["kind"], "Service");
  EXPECT_EQ(put["apiVersion"], "v1");
}

TEST(StatusWriterTest, ConflictRereadsAndReappliesOnTheFreshObject) {
  FakeTransport t;
  t.respond("GET", kPath, 200, svcAt("5"));
  t.respond("PUT", kPath + "/status", 409,
            statusBody(409, "Conflict", "the object has been modified"));
  // Someone else changed the spec meanwhile; our change must be applied on top of theirs.
  t.respond("GET", kPath, 200, svcAt("7", R"(,"loadBalancerIP":"x")"));
  t.respond("PUT", kPath + "/status", 200, svcAt("8"));
  ApiClient api(t);
  int calls = 0;
  auto r =
      updateStatusWithRetry(api, resources::kServices, "a", "web", setIngress("192.0.2.1", &calls));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(calls, 2);
  const auto reqs = t.requests();
  ASSERT_EQ(reqs.size(), 4u);
  const Json second = Json::parse(reqs[3].body);
  EXPECT_EQ(second["metadata"]["resourceVersion"], "7");
  EXPECT_EQ(second["spec"]["loadBalancerIP"], "x");
  EXPECT_EQ(second["status"]["loadBalancer"]["ingress"][0]["ip"], "192.0.2.1");
}

TEST(StatusWriterTest, GivesUpAfterBoundedConflicts) {
  FakeTransport t;
  t.setFallback([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.method == "GET") return HttpResponse{200, {}, svcAt("5")};
    return HttpResponse{409, {}, statusBody(409, "Conflict", "the object has been modified")};
  });
  ApiClient api(t);
  auto r = updateStatusWithRetry(api, resources::kServices, "a", "web", setIngress("192.0.2.1"),
                                 {.maxAttempts = 3});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isConflict());
  EXPECT_NE(r.error().message.find("gave up after 3"), std::string::npos);
  EXPECT_EQ(t.count("PUT", kPath + "/status"), 3u);
}

TEST(StatusWriterTest, NoChangeMeansNoWrite) {
  FakeTransport t;
  t.respond("GET", kPath, 200,
            R"({"metadata":{"name":"web","namespace":"a","resourceVersion":"5"},
                "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}})");
  ApiClient api(t);
  auto r = updateStatusWithRetry(api, resources::kServices, "a", "web", setIngress("192.0.2.1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(t.count("PUT", kPath + "/status"), 0u);
}

TEST(StatusWriterTest, OtherErrorsAreNotRetried) {
  FakeTransport t;
  t.respond("GET", kPath, 200, svcAt("5"));
  t.respond("PUT", kPath + "/status", 422, statusBody(422, "Invalid", "status.loadBalancer"));
  ApiClient api(t);
  auto r = updateStatusWithRetry(api, resources::kServices, "a", "web", setIngress("bad"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isInvalid());
  EXPECT_EQ(t.requests().size(), 2u);
}

TEST(StatusWriterTest, NotFoundOnReadIsReturned) {
  FakeTransport t;
  t.respond("GET", kPath, 404, statusBody(404, "NotFound", "services \"web\" not found"));
  ApiClient api(t);
  auto r = updateStatusWithRetry(api, resources::kServices, "a", "web", setIngress("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isNotFound());
}

TEST(StatusWriterTest, CachedStartSkipsTheFirstGet) {
  FakeTransport t;
  t.respond("PUT", kPath + "/status", 409, statusBody(409, "Conflict", "modified"));
  t.respond("GET", kPath, 200, svcAt("9"));
  t.respond("PUT", kPath + "/status", 200, svcAt("10"));
  ApiClient api(t);
  auto r = updateStatusWithRetry(api, resources::kServices, Json::parse(svcAt("4")),
                                 setIngress("192.0.2.1"));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto reqs = t.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(Json::parse(reqs[0].body)["metadata"]["resourceVersion"], "4");
  EXPECT_EQ(Json::parse(reqs[2].body)["metadata"]["resourceVersion"], "9");
}

TEST(StatusWriterTest, UpdateWithRetryWritesTheMainResource) {
  FakeTransport t;
  t.respond("GET", kPath, 200, svcAt("5"));
  t.respond("PUT", kPath, 200, svcAt("6"));
  ApiClient api(t);
  auto r = updateWithRetry(api, resources::kServices, "a", "web", [](Json& svc) {
    svc["metadata"]["annotations"]["x"] = "y";
    svc["metadata"]["resourceVersion"] = "999";  // the writer restores the version read
    return true;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Json::parse(t.requests()[1].body)["metadata"]["resourceVersion"], "5");
}

}  // namespace
}  // namespace ironlb::k8s
