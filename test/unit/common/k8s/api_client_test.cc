#include "common/k8s/api_client.h"

#include <gtest/gtest.h>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/testing/fake_transport.h"

namespace ironlb::k8s {
namespace {

using testing::FakeStream;
using testing::FakeTransport;
using testing::statusBody;
using testing::watchLine;

const std::string kSvcPath = "/api/v1/namespaces/a/services/web";

TEST(ApiClientTest, GetReturnsTheObject) {
  FakeTransport t;
  t.respond("GET", kSvcPath, 200, R"({"metadata":{"name":"web","resourceVersion":"7"}})");
  ApiClient api(t);
  auto r = api.get(resources::kServices, "a", "web");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)["metadata"]["resourceVersion"], "7");
}

TEST(ApiClientTest, GetNotFoundIsBranchable) {
  FakeTransport t;
  t.respond("GET", kSvcPath, 404, statusBody(404, "NotFound", "services \"web\" not found"));
  ApiClient api(t);
  auto r = api.get(resources::kServices, "a", "web");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isNotFound());
  EXPECT_EQ(r.error().describe(), "GET " + kSvcPath + ": 404 NotFound: services \"web\" not found");
}

TEST(ApiClientTest, TransportFailureHasCodeZero) {
  FakeTransport t;
  t.failNext("GET", kSvcPath, "API server https://x: cannot connect");
  ApiClient api(t);
  auto r = api.get(resources::kServices, "a", "web");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isTransport());
  EXPECT_TRUE(r.error().isRetryable());
  EXPECT_NE(r.error().describe().find("cannot connect"), std::string::npos);
}

TEST(ApiClientTest, NonJsonSuccessBodyIsAnError) {
  FakeTransport t;
  t.respond("GET", kSvcPath, 200, "<html>");
  ApiClient api(t);
  auto r = api.get(resources::kServices, "a", "web");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "BadResponse");
}

TEST(ApiClientTest, ListSendsSelectorsAndFollowsContinueTokens) {
  FakeTransport t;
  const std::string path = "/api/v1/services";
  t.respond("GET", path, 200,
            R"({"metadata":{"resourceVersion":"100","continue":"tok1"},
                "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  t.respond("GET", path, 200,
            R"({"metadata":{"resourceVersion":"100","continue":"tok2"},
                "items":[{"metadata":{"name":"c"}}]})");
  t.respond("GET", path, 200,
            R"({"metadata":{"resourceVersion":"100"},"items":[{"metadata":{"name":"d"}}]})");
  ApiClient api(t);
  auto r = api.listAll(
      resources::kServices, "",
      {.labelSelector = "app=web", .fieldSelector = "spec.type=LoadBalancer", .limit = 2});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->items.size(), 4u);
  EXPECT_EQ(r->items[3]["metadata"]["name"], "d");
  EXPECT_EQ(r->resourceVersion, "100");
  EXPECT_TRUE(r->continueToken.empty());
  const auto reqs = t.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path,
            path + "?labelSelector=app%3Dweb&fieldSelector=spec.type%3DLoadBalancer&limit=2");
  EXPECT_EQ(reqs[1].path, path +
                              "?labelSelector=app%3Dweb&fieldSelector=spec.type%3DLoadBalancer&"
                              "limit=2&continue=tok1");
  EXPECT_EQ(reqs[2].path.find("continue=tok2") != std::string::npos, true);
}

TEST(ApiClientTest, ListPageOnlyReturnsTheContinueToken) {
  FakeTransport t;
  t.respond("GET", "/api/v1/nodes", 200,
            R"({"metadata":{"resourceVersion":"5","continue":"more"},"items":[]})");
  ApiClient api(t);
  auto r = api.list(resources::kNodes, "", {.limit = 1});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->continueToken, "more");
  EXPECT_EQ(t.requests().size(), 1u);
}

TEST(ApiClientTest, ListWithExpiredContinueTokenReportsGone) {
  FakeTransport t;
  t.respond("GET", "/api/v1/nodes", 200,
            R"({"metadata":{"resourceVersion":"5","continue":"old"},"items":[]})");
  t.respond("GET", "/api/v1/nodes", 410, statusBody(410, "Expired", "continue token too old"));
  ApiClient api(t);
  auto r = api.listAll(resources::kNodes, "", {.limit = 1});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isGone());
}

TEST(ApiClientTest, ListRejectsABodyWithoutItemsArray) {
  FakeTransport t;
  t.respond("GET", "/api/v1/nodes", 200, R"({"items":{}})");
  ApiClient api(t);
  auto r = api.list(resources::kNodes, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "BadResponse");
}

TEST(ApiClientTest, WritesUseTheRightVerbPathAndContentType) {
  FakeTransport t;
  t.setFallback([](const HttpRequest& r) -> Result<HttpResponse> {
    return HttpResponse{r.method == "POST" ? 201 : 200, {}, r.body.empty() ? "{}" : r.body};
  });
  ApiClient api(t);
  const Json svc = {{"metadata", {{"name", "web"}, {"namespace", "a"}, {"resourceVersion", "3"}}}};
  ASSERT_TRUE(api.create(resources::kServices, "a", svc).ok());
  ASSERT_TRUE(api.update(resources::kServices, svc).ok());
  ASSERT_TRUE(api.updateStatus(resources::kServices, svc).ok());
  ASSERT_TRUE(api.patch(resources::kServices, "a", "web", PatchType::kMerge,
                        Json{{"metadata", {{"labels", {{"x", "y"}}}}}})
                  .ok());
  ASSERT_TRUE(api.patch(resources::kServices, "a", "web", PatchType::kStrategicMerge,
                        Json::object(), "status")
                  .ok());
  ASSERT_TRUE(
      api.patch(resources::kServices, "a", "web", PatchType::kJsonPatch, Json::array()).ok());
  ASSERT_TRUE(api.remove(resources::kServices, "a", "web",
                         {.preconditionUid = "u-1", .propagationPolicy = "Background"})
                  .ok());
  const auto reqs = t.requests();
  ASSERT_EQ(reqs.size(), 7u);
  struct Want {
    const char* method;
    std::string path;
    const char* contentType;
  };
  const Want want[] = {
      {"POST", "/api/v1/namespaces/a/services", "application/json"},
      {"PUT", kSvcPath, "application/json"},
      {"PUT", kSvcPath + "/status", "application/json"},
      {"PATCH", kSvcPath, "application/merge-patch+json"},
      {"PATCH", kSvcPath + "/status", "application/strategic-merge-patch+json"},
      {"PATCH", kSvcPath, "application/json-patch+json"},
      {"DELETE", kSvcPath, "application/json"},
  };
  for (size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(reqs[i].method, want[i].method) << i;
    EXPECT_EQ(reqs[i].path, want[i].path) << i;
    EXPECT_EQ(reqs[i].contentType, want[i].contentType) << i;
  }
  EXPECT_EQ(Json::parse(reqs[1].body)["metadata"]["resourceVersion"], "3");
  const Json del = Json::parse(reqs[6].body);
  EXPECT_EQ(del["kind"], "DeleteOptions");
  EXPECT_EQ(del["preconditions"]["uid"], "u-1");
  EXPECT_EQ(del["propagationPolicy"], "Background");
}

TEST(ApiClientTest, PlainDeleteSendsNoBody) {
  FakeTransport t;
  t.respond("DELETE", kSvcPath, 200, "{}");
  ApiClient api(t);
  ASSERT_TRUE(api.remove(resources::kServices, "a", "web").ok());
  EXPECT_TRUE(t.requests()[0].body.empty());
}

TEST(ApiClientTest, ConflictOnUpdate) {
  FakeTransport t;
  t.respond("PUT", kSvcPath + "/status", 409,
            statusBody(409, "Conflict", "the object has been modified"));
  ApiClient api(t);
  auto r = api.updateStatus(resources::kServices,
                            Json{{"metadata", {{"name", "web"}, {"namespace", "a"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isConflict());
}

TEST(ApiClientTest, WatchBuildsTheQueryAndDecodesEvents) {
  FakeTransport t;
  auto s = t.queueStream();
  s->push(watchLine("ADDED", R"({"metadata":{"name":"a","resourceVersion":"11"}})"));
  s->push(watchLine("BOOKMARK", R"({"metadata":{"resourceVersion":"12"}})"));
  s->push("not json");
  s->push(R"({"type":"WEIRD","object":{}})");
  s->push(watchLine("ERROR", statusBody(410, "Expired", "too old")));
  s->end();
  ApiClient api(t);
  std::vector<WatchEvent> events;
  auto r = api.watch(resources::kServices, "a",
                     {.resourceVersion = "10", .timeoutSeconds = 60, .labelSelector = "x=y"},
                     [&](WatchEvent&& ev) {
                       events.push_back(std::move(ev));
                       return true;
                     });
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].type, WatchEventType::kAdded);
  EXPECT_EQ(events[0].object["metadata"]["name"], "a");
  EXPECT_EQ(events[1].type, WatchEventType::kBookmark);
  EXPECT_EQ(events[2].type, WatchEventType::kMalformed);
  EXPECT_NE(events[2].error.find("not JSON"), std::string::npos);
  EXPECT_EQ(events[3].type, WatchEventType::kMalformed);
  EXPECT_NE(events[3].error.find("WEIRD"), std::string::npos);
  EXPECT_EQ(events[4].type, WatchEventType::kError);
  EXPECT_EQ(events[4].object["code"], 410);
  EXPECT_EQ(t.requests()[0].path,
            "/api/v1/namespaces/a/services?watch=true&resourceVersion=10&timeoutSeconds=60&"
            "allowWatchBookmarks=true&labelSelector=x%3Dy");
}

// docs/kubernetes-client.md, "Re-watch bound": the watch's read timeout is the idle bound,
// unless the server-side timeout plus margin ends the stream sooner.
TEST(ApiClientTest, WatchReadTimeoutIsTheIdleBound) {
  FakeTransport t;
  ApiClient api(t);
  auto timeoutFor = [&](const WatchOptions& o) {
    t.queueStream()->end();
    EXPECT_TRUE(api.watch(resources::kServices, "a", o, [](WatchEvent&&) { return true; }).ok());
    return t.requests().back().timeout;
  };
  using std::chrono::seconds;
  EXPECT_EQ(timeoutFor({.resourceVersion = "1", .timeoutSeconds = 300}), seconds(90));
  EXPECT_EQ(timeoutFor({.resourceVersion = "1", .timeoutSeconds = 10}), seconds(40));
  EXPECT_EQ(timeoutFor({.resourceVersion = "1", .timeoutSeconds = 300, .idleTimeout = seconds(0)}),
            seconds(330));
}

TEST(ApiClientTest, WatchHttpErrorIsReturned) {
  FakeTransport t;
  t.queueStream(410, statusBody(410, "Expired", "too old resource version: 1 (50)"));
  ApiClient api(t);
  auto r = api.watch(resources::kServices, "", {.resourceVersion = "1"},
                     [](WatchEvent&&) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isGone());
  EXPECT_NE(r.error().message.find("too old"), std::string::npos);
}

TEST(ApiClientTest, WatchEndsWhenTheHandlerSaysSo) {
  FakeTransport t;
  auto s = t.queueStream();
  for (int i = 0; i < 3; ++i) {
    s->push(watchLine("ADDED", R"({"metadata":{"name":"x","resourceVersion":"1"}})"));
  }
  ApiClient api(t);
  int n = 0;
  auto r = api.watch(resources::kServices, "", {}, [&](WatchEvent&&) { return ++n < 2; });
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(s->unread(), 1u);
}

TEST(ApiClientTest, ParseWatchEventNeverThrows) {
  for (const char* line :
       {"", "[]", "{}", "{\"type\":1,\"object\":{}}", "{\"type\":\"ADDED\",\"object\":[]}",
        "\xff\xfe", "{\"type\":\"ADDED\"", "null"}) {
    const WatchEvent ev = parseWatchEvent(line);
    EXPECT_EQ(ev.type, WatchEventType::kMalformed) << line;
    EXPECT_FALSE(ev.error.empty());
  }
}

TEST(ApiClientTest, CountsRequestsByVerbAndCode) {
  FakeTransport t;
  t.respond("GET", kSvcPath, 200, "{}");
  t.respond("GET", kSvcPath, 404, "");
  util::MetricsRegistry reg;
  K8sMetrics metrics(reg);
  ApiClient api(t, &metrics);
  (void)api.get(resources::kServices, "a", "web");
  (void)api.get(resources::kServices, "a", "web");
  const std::string out = reg.render();
  EXPECT_NE(out.find("ironlb_k8s_api_requests_total{verb=\"get\",code=\"200\"} 1"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ironlb_k8s_api_requests_total{verb=\"get\",code=\"404\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace ironlb::k8s
