#include "common/k8s/leader_elector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "common/k8s/object_meta.h"
#include "common/k8s/testing/fake_transport.h"
#include "common/k8s/testing/run_until.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::runUntil;
using testing::statusBody;

const std::string kLeasePath = "/apis/coordination.k8s.io/v1/namespaces/ns/leases/lock";
const std::string kLeasesPath = "/apis/coordination.k8s.io/v1/namespaces/ns/leases";

// A one-object Lease API with optimistic concurrency, shared by several electors' transports.
class LeaseServer {
 public:
  Result<HttpResponse> handle(const HttpRequest& r) {
    std::lock_guard lock(mu_);
    const std::string path = r.path.substr(0, r.path.find('?'));
    if (r.method == "GET" && path == kLeasePath) {
      if (lease_.is_null()) return HttpResponse{404, {}, statusBody(404, "NotFound", "no lease")};
      return HttpResponse{200, {}, lease_.dump()};
    }
    if (r.method == "POST" && path == kLeasesPath) {
      if (!lease_.is_null()) {
        return HttpResponse{409, {}, statusBody(409, "AlreadyExists", "exists")};
      }
      return store(Json::parse(r.body), 201);
    }
    if (r.method == "PUT" && path == kLeasePath) {
      Json body = Json::parse(r.body);
      if (lease_.is_null() || resourceVersionOf(body) != resourceVersionOf(lease_)) {
        return HttpResponse{409, {}, statusBody(409, "Conflict", "modified")};
      }
      ++puts_;
      return store(std::move(body), 200);
    }
    return HttpResponse{400, {}, statusBody(400, "BadRequest", r.method + " " + r.path)};
  }
  std::string holder() {
    std::lock_guard lock(mu_);
    return lease_.is_null() ? "<none>" : leaseRecordFromJson(lease_).holderIdentity;
  }
  int puts() {
    std::lock_guard lock(mu_);
    return puts_;
  }

 private:
  HttpResponse store(Json body, int code) {
    body["metadata"]["resourceVersion"] = std::to_string(++rv_);
    lease_ = std::move(body);
    return HttpResponse{code, {}, lease_.dump()};
  }
  std::mutex mu_;
  Json lease_;
  int rv_ = 0;
  int puts_ = 0;
};

// Sleeps until the manual clock has moved on by `d` (the test moves it), or cancellation.
// `parkedUntil` publishes the wake-up time while waiting (0 otherwise), so the test only moves
// time once every elector is asleep with its next wake-up still ahead.
Sleeper manualSleeper(util::ManualClock& clock, std::atomic<int64_t>& parkedUntil) {
  return [&clock, &parkedUntil](util::Duration d, CancelToken& token) {
    const util::MonoTime until = clock.now() + d;
    parkedUntil = until.time_since_epoch().count();
    bool ok = true;
    while (clock.now() < until) {
      if (!token.sleepFor(1ms)) {
        ok = false;
        break;
      }
    }
    parkedUntil = 0;
    return ok;
  };
}

struct Candidate {
  Candidate(LeaseServer& server, boost::asio::io_context& io, util::ManualClock& clock,
            const std::string& id, bool watch = false,
            std::optional<LeaseOwner> owner = std::nullopt)
      : api(transport) {
    transport.setFallback([this, &server](const HttpRequest& r) -> Result<HttpResponse> {
      if (partitioned) return makeError("API server unreachable (test partition)");
      return server.handle(r);
    });
    LeaderElectorOptions o;
    o.ns = "ns";
    o.name = "lock";
    o.identity = id;
    o.timing = {15s, 10s, 2s};
    o.clock = &clock;
    o.random = [] { return 0.0; };
    o.sleeper = manualSleeper(clock, parkedUntil);
    o.watchAsStandby = watch;
    o.owner = std::move(owner);
    elector = std::make_unique<LeaderElector>(
        api, io, o,
        LeaderCallbacks{.onStartedLeading =
                            [this] {
                              leading = true;
                              ++started;
                            },
                        .onStoppedLeading =
                            [this] {
                              leading = false;
                              ++stopped;
                            },
                        .onNewLeader = [this](const std::string& h) { lastSeenHolder = h; }});
  }
  FakeTransport transport;
  ApiClient api;
  std::atomic<bool> partitioned{false};
  std::unique_ptr<LeaderElector> elector;
  std::atomic<int64_t> parkedUntil{0};
  bool running = false;
  bool leading = false;
  int started = 0;
  int stopped = 0;
  std::string lastSeenHolder;
};

class LeaderElectorTest : public ::testing::Test {
 protected:
  Candidate& candidate(const std::string& id, bool watch = false,
                       std::optional<LeaseOwner> owner = std::nullopt) {
    candidates_.push_back(std::make_unique<Candidate>(server_, io_, clock_, id, watch, owner));
    return *candidates_.back();
  }
  void start(Candidate& c) {
    ASSERT_TRUE(c.elector->start().ok());
    c.running = true;
  }
  void stop(Candidate& c) {
    c.elector->stop();
    c.running = false;
  }
  // Moves time on in 100ms steps until `done` or `limit`. Before each step, every running
  // elector must be asleep with its wake-up still ahead (done reacting to the last step), and
  // posted callbacks are run.
  bool advanceUntil(const std::function<bool()>& done, util::Duration limit) {
    const util::MonoTime end = clock_.now() + limit;
    auto settled = [&] {
      for (const auto& c : candidates_) {
        if (c->running && c->parkedUntil.load() <= clock_.now().time_since_epoch().count()) {
          return false;
        }
      }
      return true;
    };
    for (;;) {
      if (!runUntil(io_, settled)) {
        ADD_FAILURE() << "electors did not settle";
        return false;
      }
      testing::drain(io_);
      if (done()) return true;
      if (clock_.now() >= end) return false;
      clock_.advance(100ms);
    }
  }
  LeaseServer server_;
  boost::asio::io_context io_;
  util::ManualClock clock_;
  std::vector<std::unique_ptr<Candidate>> candidates_;
};

TEST_F(LeaderElectorTest, AcquiresAMissingLeaseAndRenewsIt) {
  Candidate& a = candidate("a");
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  EXPECT_EQ(server_.holder(), "a");
  EXPECT_TRUE(a.elector->isLeader());
  ASSERT_TRUE(advanceUntil([&] { return server_.puts() >= 3; }, 30s));
  EXPECT_TRUE(a.leading);
  EXPECT_EQ(a.started, 1);
  stop(a);
  EXPECT_EQ(server_.holder(), "") << "stop releases the lease";
}

TEST_F(LeaderElectorTest, StandbyTakesOverAtOnceAfterRelease) {
  Candidate& a = candidate("a");
  Candidate& b = candidate("b");
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  start(b);
  ASSERT_TRUE(advanceUntil([&] { return b.lastSeenHolder == "a"; }, 10s));
  EXPECT_FALSE(b.leading);
  stop(a);
  ASSERT_TRUE(runUntil(io_, [&] { return !a.leading && a.stopped == 1; }));
  // b takes over within one retry period (+ jitter), far sooner than the 15s lease.
  const util::MonoTime released = clock_.now();
  ASSERT_TRUE(advanceUntil([&] { return b.leading; }, 5s));
  EXPECT_LT(clock_.now() - released, 5s);
  EXPECT_EQ(server_.holder(), "b");
  stop(b);
}

TEST_F(LeaderElectorTest, WatchingStandbyTakesOverTheMomentTheLeaseIsReleased) {
  Candidate& a = candidate("a");
  Candidate& b = candidate("b", /*watch=*/true);
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  auto stream = b.transport.queueStream();
  start(b);
  // b read the lease (held by a) and now waits on a watch of it from that version.
  ASSERT_TRUE(runUntil(io_, [&] {
    for (const auto& r : b.transport.requests()) {
      if (r.stream) return true;
    }
    return false;
  }));
  const auto watches = b.transport.requests();
  const auto& watch = watches.back();
  EXPECT_NE(watch.path.find("watch=true"), std::string::npos) << watch.path;
  EXPECT_NE(watch.path.find("fieldSelector=metadata.name%3Dlock"), std::string::npos) << watch.path;
  EXPECT_FALSE(b.leading);
  stop(a);
  ASSERT_EQ(server_.holder(), "");
  // The release reaches b's watch: b tries again at once, with the clock standing still (a
  // sleeping standby would wait for its retry period, and a fresh replica could win).
  b.transport.queueStream();  // b watches again after it wins: give that watch a stream too
  stream->push(R"({"type":"MODIFIED","object":{"apiVersion":"coordination.k8s.io/v1",)"
               R"("kind":"Lease","metadata":{"name":"lock","namespace":"ns"}}})");
  const util::MonoTime released = clock_.now();
  ASSERT_TRUE(runUntil(io_, [&] { return b.leading; }));
  EXPECT_EQ(clock_.now(), released);
  EXPECT_EQ(server_.holder(), "b");
  stop(b);
}

TEST_F(LeaderElectorTest, TheLeaseIsOwnedByTheGivenDeployment) {
  const LeaseOwner owner{resources::kDeployments, "ctl"};
  Candidate& a = candidate("a", false, owner);
  a.transport.respond("GET", "/apis/apps/v1/namespaces/ns/deployments/ctl", 200,
                      R"({"metadata":{"name":"ctl","namespace":"ns","uid":"dep-uid-7"}})");
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  const auto requests = a.transport.requests();
  const auto created = std::find_if(requests.begin(), requests.end(),
                                    [](const auto& r) { return r.method == "POST"; });
  ASSERT_NE(created, requests.end());
  EXPECT_EQ(Json::parse(created->body)["metadata"]["ownerReferences"],
            Json::parse(R"([{"apiVersion":"apps/v1","kind":"Deployment","name":"ctl",)"
                        R"("uid":"dep-uid-7"}])"));
  stop(a);
}

TEST_F(LeaderElectorTest, WithoutItsOwnerTheLeaseIsStillTaken) {
  // The lookup fails (the owner is gone, or RBAC forbids it): logged, and the Lease has no owner.
  Candidate& a = candidate("a", false, LeaseOwner{resources::kDeployments, "ctl"});
  a.transport.respond("GET", "/apis/apps/v1/namespaces/ns/deployments/ctl", 403,
                      statusBody(403, "Forbidden", "no"));
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  for (const auto& r : a.transport.requests()) {
    if (r.method == "POST") {
      EXPECT_FALSE(Json::parse(r.body)["metadata"].contains("ownerReferences"));
    }
  }
  stop(a);
}

TEST_F(LeaderElectorTest, StandbyTakesOverAfterExpiryAndTheOldLeaderStepsDown) {
  Candidate& a = candidate("a");
  Candidate& b = candidate("b");
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  start(b);
  ASSERT_TRUE(advanceUntil([&] { return b.lastSeenHolder == "a"; }, 10s));
  a.partitioned = true;  // a can no longer reach the API server: no renewals, no release
  const util::MonoTime cut = clock_.now();
  ASSERT_TRUE(advanceUntil([&] { return !a.leading; }, 20s));
  const util::Duration aSteppedDownAfter = clock_.now() - cut;
  EXPECT_GE(aSteppedDownAfter, 8s) << "a keeps leading until renewDeadline (10s) minus the "
                                      "time since its last renewal";
  EXPECT_FALSE(b.leading) << "the old leader stops before the standby may start";
  ASSERT_TRUE(advanceUntil([&] { return b.leading; }, 30s));
  EXPECT_GE(clock_.now() - cut, 13s) << "b waits out (most of) the 15s lease";
  EXPECT_EQ(server_.holder(), "b");
  stop(a);
  stop(b);
  EXPECT_EQ(a.started, 1);
  EXPECT_EQ(a.stopped, 1);
}

TEST_F(LeaderElectorTest, OnlyOneLeaderAtATime) {
  Candidate& a = candidate("a");
  Candidate& b = candidate("b");
  Candidate& c = candidate("c");
  start(a);
  start(b);
  start(c);
  ASSERT_TRUE(advanceUntil([&] { return a.leading || b.leading || c.leading; }, 10s));
  ASSERT_TRUE(advanceUntil([] { return false; }, 20s) == false);
  EXPECT_EQ(int(a.leading) + int(b.leading) + int(c.leading), 1);
  EXPECT_EQ(a.started + b.started + c.started, 1);
}

TEST_F(LeaderElectorTest, RejectsBadOptions) {
  FakeTransport t;
  ApiClient api(t);
  LeaderElector noId(api, io_, LeaderElectorOptions{.ns = "ns", .name = "lock"}, {});
  EXPECT_FALSE(noId.start().ok());
  LeaderElector badTiming(
      api, io_,
      LeaderElectorOptions{.ns = "ns", .name = "lock", .identity = "x", .timing = {5s, 10s, 2s}},
      {});
  const Status st = badTiming.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("leaseDuration"), std::string::npos);
}

}  // namespace
}  // namespace ironlb::k8s

namespace ironlb::k8s {
namespace {

TEST_F(LeaderElectorTest, WriteDeadlineEndsBeforeAStandbyCanTakeOver) {
  // docs/leader-election.md: writes stop at (last renewal's start + renewDeadline), which is
  // leaseDuration - renewDeadline before any standby may count the lease out.
  Candidate& a = candidate("a");
  Candidate& b = candidate("b");
  EXPECT_FALSE(a.elector->writeDeadline()) << "not leading: no writes";
  start(a);
  ASSERT_TRUE(runUntil(io_, [&] { return a.leading; }));
  ASSERT_TRUE(a.elector->writeDeadline());
  EXPECT_GT(*a.elector->writeDeadline(), clock_.now());
  EXPECT_LE(*a.elector->writeDeadline(), clock_.now() + 10s);
  start(b);
  ASSERT_TRUE(advanceUntil([&] { return b.lastSeenHolder == "a"; }, 10s));
  a.partitioned = true;  // no more renewals
  const util::MonoTime deadline = *a.elector->writeDeadline();
  ASSERT_TRUE(advanceUntil([&] { return b.leading; }, 30s));
  EXPECT_GE(clock_.now() - deadline, 4s) << "the standby leads well after a's write deadline";
  EXPECT_FALSE(a.elector->writeDeadline()) << "a stepped down";
  ASSERT_TRUE(b.elector->writeDeadline());
  stop(b);
  EXPECT_FALSE(b.elector->writeDeadline()) << "released: no more writes";
  stop(a);
}

}  // namespace
}  // namespace ironlb::k8s
