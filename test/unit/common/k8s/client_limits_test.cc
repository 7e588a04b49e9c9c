// Client-wide limits of ApiClient on the fake transport: Retry-After and the write rate limit
// (docs/kubernetes-client.md, "Retry-After" and "Rate limit"); TokenBucket and WatchedFile.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/testing/fake_transport.h"
#include "common/k8s/token_bucket.h"
#include "common/k8s/watched_file.h"
#include "temp_dir.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::statusBody;
using testing::TempDir;

const std::string kSvcPath = "/api/v1/namespaces/a/services/web";

// A sleeper that advances the manual clock instead of waiting, and records each pause.
struct ClockSleeper {
  util::ManualClock clock;
  std::mutex mu;
  std::vector<util::Duration> pauses;
  Sleeper sleeper() {
    return [this](util::Duration d, CancelToken& token) {
      if (token.cancelled()) return false;
      std::lock_guard lock(mu);
      pauses.push_back(d);
      clock.advance(d);
      return true;
    };
  }
};

// Answers from a script of (status, Retry-After header) pairs, then 200.
struct Script {
  std::vector<std::pair<int, std::string>> answers;
  size_t next = 0;
  FakeTransport::Handler handler() {
    return [this](const HttpRequest&) -> Result<HttpResponse> {
      HttpResponse r;
      if (next >= answers.size()) {
        r.status = 200;
        r.body = R"({"metadata":{"name":"web"}})";
        return r;
      }
      const auto& [status, header] = answers[next++];
      r.status = status;
      r.body = statusBody(status, status == 429 ? "TooManyRequests" : "ServiceUnavailable", "busy");
      if (!header.empty()) r.headers["retry-after"] = header;
      return r;
    };
  }
};

TEST(RetryAfterTest, TooManyRequestsIsRepeatedAfterRetryAfter) {
  FakeTransport t;
  Script script{{{429, "2"}, {429, ""}}};
  t.setFallback(script.handler());
  ClockSleeper s;
  ApiClient api(t, nullptr, {.sleeper = s.sleeper(), .clock = &s.clock});
  auto r = api.get(resources::kServices, "a", "web");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(s.pauses, (std::vector<util::Duration>{2s, 1s})) << "1 s when none is given";
  EXPECT_EQ(t.requests().size(), 3u);
}

TEST(RetryAfterTest, ServiceUnavailableIsRepeatedOnlyWithRetryAfter) {
  FakeTransport t;
  Script script{{{503, "3"}, {503, ""}}};
  t.setFallback(script.handler());
  ClockSleeper s;
  ApiClient api(t, nullptr, {.sleeper = s.sleeper(), .clock = &s.clock});
  auto r = api.get(resources::kServices, "a", "web");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 503);
  EXPECT_EQ(s.pauses, (std::vector<util::Duration>{3s}));
  EXPECT_EQ(t.requests().size(), 2u);
}

TEST(RetryAfterTest, WaitsAreCappedAndAttemptsBounded) {
  FakeTransport t;
  Script script{{{429, "3600"}, {429, "3600"}, {429, "3600"}, {429, "7"}, {429, ""}}};
  t.setFallback(script.handler());
  ClockSleeper s;
  ApiClient api(
      t, nullptr,
      {.retryAfterAttempts = 3, .maxRetryAfter = 10s, .sleeper = s.sleeper(), .clock = &s.clock});
  auto r = api.updateStatus(resources::kServices, Json::parse(R"({"metadata":{"name":"web",
      "namespace":"a"}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isTooManyRequests());
  EXPECT_EQ(r.error().retryAfter, 7s) << "the last answer's Retry-After reaches the caller";
  EXPECT_EQ(s.pauses, (std::vector<util::Duration>{10s, 10s, 10s}));
  EXPECT_EQ(t.requests().size(), 4u);
}

TEST(RetryAfterTest, CallersManagingPushbackGetThe429AtOnce) {
  FakeTransport t;
  Script script{{{429, "5"}}};
  t.setFallback(script.handler());
  ClockSleeper s;
  ApiClient api(t, nullptr, {.sleeper = s.sleeper(), .clock = &s.clock});
  auto r = api.get(resources::kServices, "a", "web", {.honourRetryAfter = false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().retryAfter, 5s);
  EXPECT_TRUE(s.pauses.empty());
  EXPECT_EQ(t.requests().size(), 1u);
}

TEST(RetryAfterTest, CancelDuringTheWaitReturnsTheError) {
  FakeTransport t;
  Script script{{{429, "5"}}};
  t.setFallback(script.handler());
  ClockSleeper s;
  ApiClient api(t, nullptr, {.sleeper = s.sleeper(), .clock = &s.clock});
  CancelToken cancel;
  cancel.cancel();
  auto r = api.get(resources::kServices, "a", "web", {.cancel = &cancel});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(t.requests().size(), 1u);
}

TEST(RetryAfterTest, HeaderParsing) {
  EXPECT_EQ(parseRetryAfter("5"), 5s);
  EXPECT_EQ(parseRetryAfter(" 120"), 120s);
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 0s);
  EXPECT_EQ(parseRetryAfter(""), 0s);
  EXPECT_EQ(parseRetryAfter("99999999999999999999999"), 86400s) << "at most a day";
  EXPECT_EQ(apiErrorFromResponse("GET", "/x", 429,
                                 R"({"kind":"Status","details":{"retryAfterSeconds":-5}})")
                .retryAfter,
            0s);
  EXPECT_EQ(apiErrorFromResponse("GET", "/x", 429,
                                 R"({"kind":"Status","details":{"retryAfterSeconds":1e300}})")
                .retryAfter,
            0s)
      << "not an integer: ignored";
  EXPECT_EQ(apiErrorFromResponse(
                "GET", "/x", 429,
                R"({"kind":"Status","details":{"retryAfterSeconds":18446744073709551615}})")
                .retryAfter,
            86400s);
}

TEST(WriteRateLimitTest, WritesBeyondTheBurstWaitForTokensAndReadsNever) {
  FakeTransport t;
  t.setFallback([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{.status = 200, .body = "{}"};
  });
  ClockSleeper s;
  ApiClient api(t, nullptr,
                {.writeQps = 10, .writeBurst = 2, .sleeper = s.sleeper(), .clock = &s.clock});
  const Json svc = Json::parse(R"({"metadata":{"name":"web","namespace":"a"}})");
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(api.get(resources::kServices, "a", "web").ok());
  EXPECT_TRUE(s.pauses.empty()) << "reads are not limited";
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(api.updateStatus(resources::kServices, svc).ok());
  // Two from the burst, then one every 100 ms (the sleeper advances the clock by each wait).
  EXPECT_EQ(s.pauses, (std::vector<util::Duration>{100ms, 100ms}));
  s.clock.advance(1s);  // refills to the burst, not beyond
  s.pauses.clear();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(api.remove(resources::kServices, "a", "web").ok());
  EXPECT_EQ(s.pauses, (std::vector<util::Duration>{100ms}));
}

TEST(WriteRateLimitTest, CallsOutsideTheLimitNeverWait) {
  FakeTransport t;
  t.setFallback([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{.status = 200, .body = "{}"};
  });
  ClockSleeper s;
  ApiClient api(t, nullptr,
                {.writeQps = 1, .writeBurst = 1, .sleeper = s.sleeper(), .clock = &s.clock});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        api.remove(resources::kServices, "a", "web", {.call = {.rateLimited = false}}).ok());
  }
  EXPECT_TRUE(s.pauses.empty()) << "the leader elector's Lease calls";
}

TEST(WriteRateLimitTest, UnlimitedByDefaultInTheLibrary) {
  FakeTransport t;
  t.setFallback([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{.status = 200, .body = "{}"};
  });
  ClockSleeper s;
  ApiClient api(t, nullptr, {.sleeper = s.sleeper(), .clock = &s.clock});
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(api.remove(resources::kServices, "a", "web").ok());
  EXPECT_TRUE(s.pauses.empty());
}

TEST(TokenBucketTest, ConcurrentTakersQueueInOrder) {
  util::ManualClock clock;
  TokenBucket b(4, 1, clock);
  EXPECT_EQ(b.take(), 0ms);
  EXPECT_EQ(b.take(), 250ms);
  EXPECT_EQ(b.take(), 500ms) << "a reservation: the second waiter waits behind the first";
  clock.advance(500ms);
  EXPECT_EQ(b.take(), 250ms);
  EXPECT_TRUE(TokenBucket(0, 0, clock).unlimited());
}

TEST(WatchedFileTest, ReportsChangedContentsAtMostEveryInterval) {
  TempDir dir;
  util::ManualClock clock;
  const std::string path = dir.write("ca.crt", "one");
  WatchedFile f(path, "one", clock, 10s);
  clock.advance(10s);
  EXPECT_FALSE(f.changed()) << "unchanged";
  dir.write("ca.crt", "second");
  clock.advance(5s);
  EXPECT_FALSE(f.changed()) << "not checked before the interval";
  clock.advance(5s);
  ASSERT_TRUE(f.changed());
  EXPECT_FALSE(f.changed()) << "reported once";
  dir.write("ca.crt", "");
  clock.advance(10s);
  EXPECT_FALSE(f.changed()) << "an empty file (rotation in progress) keeps the last contents";
  std::filesystem::remove(path);
  clock.advance(10s);
  EXPECT_FALSE(f.changed()) << "a vanished file keeps the last contents";
  dir.write("ca.crt", "third!");
  clock.advance(10s);
  auto third = f.changed();
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, "third!");
}

}  // namespace
}  // namespace ironlb::k8s
