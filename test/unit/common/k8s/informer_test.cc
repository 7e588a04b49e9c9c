#include "common/k8s/informer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/testing/fake_transport.h"
#include "common/k8s/testing/run_until.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::runUntil;
using testing::statusBody;
using testing::watchLine;

const std::string kPath = "/api/v1/namespaces/a/services";

std::string svc(const std::string& name, const std::string& rv) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":"a","resourceVersion":")" + rv +
         R"("}})";
}
std::string listBody(const std::string& rv, const std::vector<std::string>& items) {
  std::string out = R"({"metadata":{"resourceVersion":")" + rv + R"("},"items":[)";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i];
  return out + "]}";
}

// Records backoff pauses; pauses last 1ms of real time so a misbehaving loop cannot spin hot.
class RecordingSleeper {
 public:
  Sleeper sleeper() {
    return [this](util::Duration d, CancelToken& token) {
      {
        std::lock_guard lock(mu_);
        pauses_.push_back(d);
      }
      return token.sleepFor(1ms);
    };
  }
  std::vector<util::Duration> pauses() const {
    std::lock_guard lock(mu_);
    return pauses_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<util::Duration> pauses_;
};

class InformerTest : public ::testing::Test {
 protected:
  InformerTest() : metrics_(registry_), api_(transport_, &metrics_) {}

  void start() {
    InformerOptions o;
    o.type = resources::kServices;
    o.ns = "a";
    o.watchTimeoutSeconds = 120;
    o.backoff = {.initial = 500ms, .max = 4s, .multiplier = 2.0, .jitter = 0.0};
    o.random = [] { return 0.0; };
    o.sleeper = sleeper_.sleeper();
    o.clock = &clock_;
    o.metrics = &metrics_;
    o.transform = transform_;
    informer_ = std::make_unique<Informer>(
        api_, io_, o,
        InformerHandlers{.onAdd =
                             [this](const Json& j) {
                               log_.push_back("add " + nameOf(j) + "@" + resourceVersionOf(j));
                             },
                         .onUpdate =
                             [this](const Json& o1, const Json& n) {
                               log_.push_back("update " + nameOf(n) + "@" + resourceVersionOf(o1) +
                                              "->" + resourceVersionOf(n));
                             },
                         .onDelete =
                             [this](const Json& j) {
                               log_.push_back("delete " + nameOf(j) + "@" + resourceVersionOf(j));
                             },
                         .onSynced = [this] { log_.push_back("synced"); }});
    informer_->start();
  }
  bool waitLog(size_t n) {
    return runUntil(io_, [&] { return log_.size() >= n; });
  }
  std::vector<std::string> watchPaths() const {
    std::vector<std::string> out;
    for (const auto& r : transport_.requests()) {
      if (r.stream) out.push_back(r.path);
    }
    return out;
  }
  double metric(const std::string& needle) const {
    const std::string text = registry_.render();
    const size_t at = text.find(needle + " ");
    if (at == std::string::npos) return 0;
    return std::stod(text.substr(at + needle.size() + 1));
  }

  util::MetricsRegistry registry_;
  K8sMetrics metrics_;
  FakeTransport transport_;
  ApiClient api_;
  boost::asio::io_context io_;
  util::ManualClock clock_;
  RecordingSleeper sleeper_;
  std::vector<std::string> log_;
  std::function<void(Json&)> transform_;
  std::unique_ptr<Informer> informer_;
};

TEST_F(InformerTest, ListsThenWatchesFromTheListVersion) {
  transport_.respond("GET", kPath, 200, listBody("10", {svc("x", "5"), svc("y", "6")}));
  auto stream = transport_.queueStream();
  start();
  ASSERT_TRUE(waitLog(3));
  EXPECT_EQ(log_, (std::vector<std::string>{"add x@5", "add y@6", "synced"}));
  EXPECT_TRUE(informer_->synced());
  stream->push(watchLine("ADDED", svc("z", "11")));
  stream->push(watchLine("MODIFIED", svc("x", "12")));
  stream->push(watchLine("DELETED", svc("y", "13")));
  ASSERT_TRUE(waitLog(6));
  EXPECT_EQ(std::vector<std::string>(log_.begin() + 3, log_.end()),
            (std::vector<std::string>{"add z@11", "update x@5->12", "delete y@6"}));
  EXPECT_EQ(informer_->store().size(), 2u);
  EXPECT_NE(informer_->get("a/x"), nullptr);
  EXPECT_EQ(informer_->get("a/y"), nullptr);
  ASSERT_GE(watchPaths().size(), 1u);
  EXPECT_EQ(watchPaths()[0], kPath +
                                 "?watch=true&resourceVersion=10&timeoutSeconds=120&"
                                 "allowWatchBookmarks=true");
  EXPECT_EQ(informer_->resumeVersion(), "13");
  EXPECT_EQ(transport_.requests()[0].path, kPath + "?limit=500");
}

TEST_F(InformerTest, TransformAppliesToListedAndWatchedObjects) {
  const std::string fat =
      R"({"metadata":{"name":"x","namespace":"a","resourceVersion":"5","managedFields":[{}]}})";
  const std::string fatter =
      R"({"metadata":{"name":"x","namespace":"a","resourceVersion":"11","managedFields":[{}]}})";
  transport_.respond("GET", kPath, 200, listBody("10", {fat}));
  auto stream = transport_.queueStream();
  transform_ = dropManagedFields;
  start();
  ASSERT_TRUE(waitLog(2));
  ASSERT_NE(informer_->get("a/x"), nullptr);
  EXPECT_FALSE((*informer_->get("a/x"))["metadata"].contains("managedFields"));
  stream->push(watchLine("MODIFIED", fatter));
  ASSERT_TRUE(waitLog(3));
  EXPECT_EQ(log_.back(), "update x@5->11");
  EXPECT_FALSE((*informer_->get("a/x"))["metadata"].contains("managedFields"));
  EXPECT_EQ((*informer_->get("a/x"))["metadata"]["resourceVersion"], "11");
}

TEST_F(InformerTest, BookmarksMoveTheResumePointWithoutNotifying) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto first = transport_.queueStream();
  first->push(watchLine("BOOKMARK", R"({"kind":"Service","metadata":{"resourceVersion":"20"}})"));
  first->end();  // the server's timeout
  start();
  ASSERT_TRUE(transport_.waitForStreams(1, 5s));
  auto second = transport_.queueStream();
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 2; }));
  EXPECT_NE(watchPaths()[1].find("resourceVersion=20&"), std::string::npos) << watchPaths()[1];
  second->push(watchLine("ADDED", svc("n", "21")));
  ASSERT_TRUE(waitLog(2));
  EXPECT_EQ(log_, (std::vector<std::string>{"synced", "add n@21"}));
  EXPECT_EQ(transport_.count("GET", kPath), 1u) << "no relist after a normal stream end";
}

TEST_F(InformerTest, CutStreamResumesFromTheLastEventAfterABackoff) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto first = transport_.queueStream();
  first->push(watchLine("ADDED", svc("x", "11")));
  start();
  ASSERT_TRUE(waitLog(2));
  first->fail("connection reset by peer");
  transport_.queueStream();
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 2; }));
  EXPECT_NE(watchPaths()[1].find("resourceVersion=11&"), std::string::npos);
  EXPECT_EQ(sleeper_.pauses(), (std::vector<util::Duration>{500ms}));
  EXPECT_EQ(metric("ironlb_k8s_informer_watch_errors_total{resource=\"services\"}"), 1);
  EXPECT_EQ(transport_.count("GET", kPath), 1u);
}

// docs/kubernetes-client.md, "Re-watch bound": a stream silent for the idle bound (no event,
// no bookmark) is presumed dead; the informer re-watches from its version at once.
TEST_F(InformerTest, WatchSilentPastTheIdleBoundIsResumedAtOnce) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto first = transport_.queueStream();
  first->push(watchLine("ADDED", svc("x", "11")));
  start();
  ASSERT_TRUE(waitLog(2));
  clock_.advance(90s);
  first->fail("connection closed or read timed out");
  transport_.queueStream();
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 2; }));
  EXPECT_NE(watchPaths()[1].find("resourceVersion=11&"), std::string::npos);
  EXPECT_TRUE(sleeper_.pauses().empty()) << "no backoff after the idle bound fired";
  EXPECT_EQ(transport_.count("GET", kPath), 1u) << "no relist";
  for (const auto& r : transport_.requests()) {
    if (r.stream) {
      EXPECT_EQ(r.timeout, 90s) << "the transport's idle read timeout is the bound";
    }
  }
}

TEST_F(InformerTest, FailureBeforeTheIdleBoundStillBacksOff) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto first = transport_.queueStream();
  first->push(watchLine("ADDED", svc("x", "11")));
  start();
  ASSERT_TRUE(waitLog(2));
  clock_.advance(60s);
  first->fail("connection reset by peer");
  transport_.queueStream();
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 2; }));
  EXPECT_EQ(sleeper_.pauses(), (std::vector<util::Duration>{500ms}));
}

TEST_F(InformerTest, GoneOnWatchRelistsAndEmitsTheDifference) {
  transport_.respond("GET", kPath, 200,
                     listBody("10", {svc("keep", "1"), svc("change", "2"), svc("gone", "3")}));
  transport_.queueStream(410, statusBody(410, "Expired", "too old resource version: 10 (40)"));
  transport_.respond("GET", kPath, 200,
                     listBody("50", {svc("keep", "1"), svc("change", "45"), svc("new", "46")}));
  auto after = transport_.queueStream();
  start();
  ASSERT_TRUE(waitLog(7));
  EXPECT_EQ(log_, (std::vector<std::string>{"add keep@1", "add change@2", "add gone@3", "synced",
                                            "update change@2->45", "add new@46", "delete gone@3"}));
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 2; }));
  EXPECT_NE(watchPaths()[1].find("resourceVersion=50&"), std::string::npos);
  EXPECT_EQ(metric("ironlb_k8s_informer_relists_total{resource=\"services\",reason=\"gone\"}"), 1);
  EXPECT_EQ(metric("ironlb_k8s_informer_relists_total{resource=\"services\",reason=\"initial\"}"),
            1);
  EXPECT_TRUE(sleeper_.pauses().empty()) << "the first 410 relists at once";
}

TEST_F(InformerTest, GoneAsAnErrorEventAlsoRelists) {
  transport_.respond("GET", kPath, 200, listBody("10", {svc("a1", "1")}));
  auto first = transport_.queueStream();
  first->push(watchLine("ADDED", svc("a2", "11")));
  first->push(watchLine("ERROR", statusBody(410, "Expired", "too old resource version")));
  transport_.respond("GET", kPath, 200, listBody("60", {svc("a2", "11")}));
  transport_.queueStream();
  start();
  ASSERT_TRUE(waitLog(4));
  EXPECT_EQ(log_, (std::vector<std::string>{"add a1@1", "synced", "add a2@11", "delete a1@1"}));
  EXPECT_EQ(transport_.count("GET", kPath), 2u);
}

TEST_F(InformerTest, MalformedEventIsCountedAndTheWatchResumesFromTheLastGoodVersion) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto first = transport_.queueStream();
  first->push(watchLine("ADDED", svc("ok", "11")));
  first->push("{\"type\":\"ADDED\",\"object\":{\"metadata\":");  // truncated record
  auto second = transport_.queueStream();
  second->push(watchLine("MODIFIED", svc("ok", "12")));
  second->push(watchLine("ADDED", R"({"metadata":{"name":"norv"}})"));  // no resourceVersion
  transport_.queueStream();
  start();
  ASSERT_TRUE(waitLog(3));
  EXPECT_EQ(log_, (std::vector<std::string>{"synced", "add ok@11", "update ok@11->12"}));
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 3; }));
  EXPECT_NE(watchPaths()[1].find("resourceVersion=11&"), std::string::npos);
  EXPECT_NE(watchPaths()[2].find("resourceVersion=12&"), std::string::npos);
  EXPECT_EQ(metric("ironlb_k8s_informer_malformed_events_total{resource=\"services\"}"), 2);
  EXPECT_EQ(sleeper_.pauses().size(), 2u);
}

TEST_F(InformerTest, ListFailuresBackOffExponentiallyAndResetOnSuccess) {
  transport_.respond("GET", kPath, 503, statusBody(503, "ServiceUnavailable", "etcd down"));
  transport_.failNext("GET", kPath, "API server https://x: cannot connect");
  transport_.respond("GET", kPath, 500, "oops");
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto first = transport_.queueStream();
  start();
  ASSERT_TRUE(waitLog(1));
  EXPECT_EQ(sleeper_.pauses(), (std::vector<util::Duration>{500ms, 1s, 2s}));
  first->fail("reset");
  transport_.queueStream();
  ASSERT_TRUE(runUntil(io_, [&] { return watchPaths().size() >= 2; }));
  EXPECT_EQ(sleeper_.pauses(), (std::vector<util::Duration>{500ms, 1s, 2s, 500ms}))
      << "a successful list resets the backoff";
}

TEST_F(InformerTest, RepeatedWatchFailuresGrowTheBackoffUpToTheCap) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  for (int i = 0; i < 5; ++i)
    transport_.queueStream(500, statusBody(500, "InternalError", "x"));
  transport_.queueStream();
  start();
  ASSERT_TRUE(runUntil(io_, [&] { return transport_.streamsStarted() >= 6; }));
  EXPECT_EQ(sleeper_.pauses(), (std::vector<util::Duration>{500ms, 1s, 2s, 4s, 4s}));
}

TEST_F(InformerTest, ForbiddenListIsRetriedNotFatal) {
  transport_.respond("GET", kPath, 403, statusBody(403, "Forbidden", "services is forbidden"));
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  transport_.queueStream();
  start();
  ASSERT_TRUE(waitLog(1));
  EXPECT_EQ(log_[0], "synced");
}

TEST_F(InformerTest, StopInterruptsABlockedWatchPromptly) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  auto stream = transport_.queueStream();  // never sends anything
  start();
  ASSERT_TRUE(transport_.waitForStreams(1, 5s));
  const auto t0 = std::chrono::steady_clock::now();
  informer_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(InformerTest, StopWhileWaitingForAStreamIsPrompt) {
  transport_.respond("GET", kPath, 200, listBody("10", {}));
  start();  // no stream queued: the fake blocks until cancelled
  ASSERT_TRUE(runUntil(io_, [&] { return informer_->synced(); }));
  informer_->stop();
  SUCCEED();
}

TEST_F(InformerTest, NoHandlerRunsAfterStop) {
  transport_.respond("GET", kPath, 200, listBody("10", {svc("x", "1")}));
  auto stream = transport_.queueStream();
  stream->push(watchLine("ADDED", svc("y", "11")));
  start();
  ASSERT_TRUE(transport_.waitForStreams(1, 5s));
  // Wait (without running the loop) until the informer has consumed and posted the event.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stream->unread() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(stream->unread(), 0u);
  informer_->stop();  // the list and event were posted but maybe not run yet
  testing::drain(io_);
  EXPECT_TRUE(log_.empty()) << log_.size() << " handler calls after stop";
}

}  // namespace
}  // namespace ironlb::k8s
