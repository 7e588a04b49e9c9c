// ConfigurationStateWriter against a FakeTransport that keeps the one object in memory (GET,
// POST, PUT, PUT .../status), with failures injected per request.
#include "common/k8s/configuration_state_writer.h"

#include <gtest/gtest.h>

#include <mutex>

#include "common/k8s/testing/fake_transport.h"
#include "common/k8s/testing/run_until.h"

namespace ironlb::k8s {
namespace {

using testing::FakeTransport;
using testing::runUntil;

const std::string kPath = "/apis/metallb.io/v1beta1/namespaces/lb/configurationstates";
const std::string kObject = kPath + "/speaker-n0";

// The API server's view of the one object, shared by the writers of one test.
class OneObjectServer {
 public:
  explicit OneObjectServer(FakeTransport& t) {
    t.setFallback([this](const HttpRequest& r) { return serve(r); });
  }
  // The next `n` writes (POST/PUT) fail with 500.
  void failWrites(int n) {
    std::lock_guard lock(mu_);
    failures_ = n;
  }
  Json object() const {
    std::lock_guard lock(mu_);
    return object_;
  }
  void setObject(Json o) {
    std::lock_guard lock(mu_);
    object_ = std::move(o);
  }

 private:
  Result<HttpResponse> serve(const HttpRequest& r) {
    std::lock_guard lock(mu_);
    const std::string path = r.path.substr(0, r.path.find('?'));
    auto answer = [](int code, const Json& body) {
      HttpResponse out;
      out.status = code;
      out.body = body.dump();
      return out;
    };
    if (r.method != "GET" && failures_ > 0) {
      --failures_;
      return answer(500, Json::parse(testing::statusBody(500, "InternalError", "injected")));
    }
    if (r.method == "GET" && path == kObject) {
      if (object_.is_null())
        return answer(404, Json::parse(testing::statusBody(404, "NotFound", "not found")));
      return answer(200, object_);
    }
    if (r.method == "POST" && path == kPath) {
      object_ = Json::parse(r.body);
      object_["metadata"]["uid"] = "uid-1";
      object_["metadata"]["resourceVersion"] = std::to_string(++version_);
      return answer(201, object_);
    }
    if (r.method == "PUT" && (path == kObject || path == kObject + "/status")) {
      const Json in = Json::parse(r.body);
      if (in["metadata"]["resourceVersion"] != object_["metadata"]["resourceVersion"])
        return answer(409, Json::parse(testing::statusBody(409, "Conflict", "stale")));
      if (path == kObject) {
        object_["metadata"] = in["metadata"];
      } else {
        object_["status"] = in["status"];
      }
      object_["metadata"]["resourceVersion"] = std::to_string(++version_);
      return answer(200, object_);
    }
    return answer(404, Json::parse(testing::statusBody(404, "NotFound", "unscripted")));
  }

  mutable std::mutex mu_;
  Json object_;
  int version_ = 0;
  int failures_ = 0;
};

api::ConfigurationVerdict valid() {
  return {.result = "Valid", .lastError = "", .errorSummary = ""};
}
api::ConfigurationVerdict invalid(const std::string& error) {
  return {.result = "Invalid", .lastError = error, .errorSummary = "1 error in 1 object"};
}

api::ConfigurationVerdict badP() {
  return invalid("IPAddressPool lb/p: spec.addresses[0]: \"x\" is not an address");
}

class ConfigurationStateWriterTest : public ::testing::Test {
 protected:
  std::unique_ptr<ConfigurationStateWriter> makeWriter(int maxAttempts = 10) {
    return std::make_unique<ConfigurationStateWriter>(
        io_, api_, speakerStateIdentity("lb", "n0", "speaker-x1", "pod-uid-1"),
        ConfigurationStateWriterOptions{.backoff = {.initial = std::chrono::milliseconds(1),
                                                    .max = std::chrono::milliseconds(4)},
                                        .maxAttempts = maxAttempts,
                                        .random = [] { return 0.5; },
                                        .clock = &clock_});
  }
  // Writes (POST, PUT) sent so far.
  size_t writes() const {
    size_t n = 0;
    for (const auto& r : transport_.requests())
      if (r.method == "POST" || r.method == "PUT") ++n;
    return n;
  }
  bool settled(const ConfigurationStateWriter& w, const api::ConfigurationVerdict& v) {
    return w.idle() && w.shown() == v;
  }
  // Reports `v` and runs the loop until the writer has shown it.
  bool reportAndSettle(ConfigurationStateWriter& w, const api::ConfigurationVerdict& v) {
    w.report(v);
    return runUntil(io_, [&] { return settled(w, v); });
  }

  FakeTransport transport_;
  OneObjectServer server_{transport_};
  ApiClient api_{transport_};
  boost::asio::io_context io_;
  util::ManualClock clock_;
};

TEST_F(ConfigurationStateWriterTest, CreatesTheObjectOwnedByThePodWithLabelsAndStatus) {
  auto writer = makeWriter();
  ASSERT_TRUE(reportAndSettle(*writer, valid()));
  const Json o = server_.object();
  EXPECT_EQ(o["metadata"]["name"], "speaker-n0");
  EXPECT_EQ(o["metadata"]["labels"]["metallb.io/component-type"], "speaker");
  EXPECT_EQ(o["metadata"]["labels"]["metallb.io/node-name"], "n0");
  EXPECT_EQ(o["metadata"]["ownerReferences"],
            Json::parse(R"([{"apiVersion":"v1","kind":"Pod","name":"speaker-x1",)"
                        R"("uid":"pod-uid-1"}])"));
  EXPECT_EQ(o["status"]["result"], "Valid");
  EXPECT_FALSE(o["status"].contains("lastError"));
  EXPECT_EQ(o["status"]["conditions"][0]["type"], "ConfigurationValid");
  EXPECT_EQ(o["status"]["conditions"][0]["status"], "True");
  EXPECT_EQ(writes(), 2u);  // POST, then PUT .../status
}

TEST_F(ConfigurationStateWriterTest, WritesOncePerChangeOfVerdict) {
  auto writer = makeWriter();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(reportAndSettle(*writer, valid()));
  EXPECT_EQ(writes(), 2u);
  for (int i = 0; i < 5; ++i)
    writer->report(valid());
  testing::drain(io_);
  EXPECT_EQ(writes(), 2u);  // the same verdict again: nothing

  const auto bad = badP();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(reportAndSettle(*writer, bad));
  EXPECT_EQ(writes(), 3u);
  const Json status = server_.object()["status"];
  EXPECT_EQ(status["result"], "Invalid");
  EXPECT_EQ(status["lastError"], bad.lastError);
  EXPECT_EQ(status["errorSummary"], "1 error in 1 object");
  EXPECT_EQ(status["conditions"][0]["status"], "False");
  EXPECT_EQ(status["conditions"][0]["message"], bad.lastError);

  // A different error is a change too.
  const auto other = invalid("IPAddressPool lb/q: spec.addresses[1]: \"y\" is not an address");
  ASSERT_TRUE(reportAndSettle(*writer, other));
  EXPECT_EQ(writes(), 4u);
}

TEST_F(ConfigurationStateWriterTest, RestartLeavesAStillTrueVerdictAsItIs) {
  auto first = makeWriter();
  ASSERT_TRUE(reportAndSettle(*first, valid()));
  const Json before = server_.object();
  first.reset();  // the daemon restarts

  auto second = makeWriter();
  ASSERT_TRUE(reportAndSettle(*second, valid()));
  EXPECT_EQ(writes(), 2u);  // only the first life's create and status: the restart read it
  EXPECT_EQ(server_.object(), before);

  // The restarted writer still writes a change, keeping the object.
  const auto bad = badP();
  ASSERT_TRUE(reportAndSettle(*second, bad));
  EXPECT_EQ(writes(), 3u);
  EXPECT_EQ(server_.object()["metadata"]["uid"], "uid-1");
}

TEST_F(ConfigurationStateWriterTest, RestartUnderAnotherPodTakesOwnership) {
  auto first = makeWriter();
  ASSERT_TRUE(reportAndSettle(*first, valid()));
  first.reset();
  ConfigurationStateWriter second(io_, api_,
                                  speakerStateIdentity("lb", "n0", "speaker-x2", "pod-uid-2"),
                                  {.random = [] { return 0.5; }, .clock = &clock_});
  ASSERT_TRUE(reportAndSettle(second, valid()));
  EXPECT_EQ(server_.object()["metadata"]["ownerReferences"][0]["uid"], "pod-uid-2");
  EXPECT_EQ(writes(), 3u);  // one PUT of the object; the status already said Valid
}

TEST_F(ConfigurationStateWriterTest, FailedWritesAreRetriedWithBackoff) {
  server_.failWrites(3);  // three failed creates, then it gets through
  auto writer = makeWriter();
  ASSERT_TRUE(reportAndSettle(*writer, valid()));
  EXPECT_EQ(writer->failures(), 3u);
  EXPECT_EQ(writer->abandoned(), 0u);
  EXPECT_EQ(server_.object()["status"]["result"], "Valid");
}

TEST_F(ConfigurationStateWriterTest, RetriesAreBoundedPerVerdict) {
  server_.failWrites(1000);
  auto writer = makeWriter(/*maxAttempts=*/4);
  writer->report(valid());
  ASSERT_TRUE(runUntil(io_, [&] { return writer->abandoned() == 1; }));
  EXPECT_EQ(writer->failures(), 4u);
  EXPECT_EQ(writes(), 4u);  // one failed create per attempt, then nothing
  EXPECT_TRUE(writer->idle());
  // The positive marker after the negative: a new verdict tries again and, once the server
  // recovers, gets through.
  server_.failWrites(0);
  const auto bad = badP();
  ASSERT_TRUE(reportAndSettle(*writer, bad));
  EXPECT_EQ(writes(), 6u);
}

TEST_F(ConfigurationStateWriterTest, AVerdictChangedInFlightIsWrittenAfterwards) {
  auto writer = makeWriter();
  writer->report(valid());
  const auto bad = badP();
  writer->report(bad);  // before the first write completes
  ASSERT_TRUE(runUntil(io_, [&] { return settled(*writer, bad); }));
  EXPECT_EQ(server_.object()["status"]["result"], "Invalid");
}

TEST_F(ConfigurationStateWriterTest, ConditionKeepsItsTransitionTimeWhileItsStatusHolds) {
  auto writer = makeWriter();
  const auto bad1 = badP();
  ASSERT_TRUE(reportAndSettle(*writer, bad1));
  const Json t0 = server_.object()["status"]["conditions"][0]["lastTransitionTime"];
  EXPECT_EQ(t0, "2024-01-01T00:00:00Z");
  clock_.advance(std::chrono::minutes(1));
  const auto bad2 = invalid("IPAddressPool lb/q: spec.addresses[0]: \"y\" is not an address");
  ASSERT_TRUE(reportAndSettle(*writer, bad2));
  EXPECT_EQ(server_.object()["status"]["conditions"][0]["lastTransitionTime"], t0);
  ASSERT_TRUE(reportAndSettle(*writer, valid()));
  EXPECT_EQ(server_.object()["status"]["conditions"][0]["lastTransitionTime"],
            "2024-01-01T00:01:00Z");
}

TEST(ConfigurationStateIdentityTest, ControllerAndSpeakerNames) {
  const auto c = controllerStateIdentity("lb", "ctl-1", "u1");
  EXPECT_EQ(c.name, "controller");
  EXPECT_EQ(c.component, "controller");
  EXPECT_EQ(c.node, "");
  const auto s = speakerStateIdentity("lb", "worker-2", "sp-1", "u2");
  EXPECT_EQ(s.name, "speaker-worker-2");
  EXPECT_EQ(s.component, "speaker");
  EXPECT_EQ(s.node, "worker-2");
}

}  // namespace
}  // namespace ironlb::k8s
