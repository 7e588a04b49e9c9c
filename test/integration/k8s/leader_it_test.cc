// Two LeaderElectors on one real Lease: the standby takes over at once after a graceful
// release, and after lease expiry when the leader is cut off (which steps down first).
#include <gtest/gtest.h>

#include "common/k8s/leader_elector.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/testing/run_until.h"
#include "it_env.h"

namespace ironlb::k8s::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::runUntil;

struct Replica {
  Replica(boost::asio::io_context& io, const std::string& lease, const std::string& id,
          LeaderElectionTiming timing)
      : conn(connect(env().kubeconfig)), partitionable(*conn->transport), api(partitionable) {
    elector = std::make_unique<LeaderElector>(
        api, io,
        LeaderElectorOptions{.ns = env().ns, .name = lease, .identity = id, .timing = timing},
        LeaderCallbacks{.onStartedLeading =
                            [this] {
                              leading = true;
                              startedAt = Clock::now();
                            },
                        .onStoppedLeading =
                            [this] {
                              leading = false;
                              stoppedAt = Clock::now();
                            }});
  }
  std::unique_ptr<Client> conn;
  PartitionableTransport partitionable;
  ApiClient api;
  std::unique_ptr<LeaderElector> elector;
  bool leading = false;
  Clock::time_point startedAt{};
  Clock::time_point stoppedAt{};
};

std::string holderOf(const std::string& lease) {
  auto l = admin().get(resources::kLeases, env().ns, lease);
  return l.ok() ? (*l)["spec"].value("holderIdentity", "") : "<" + l.error().describe() + ">";
}

TEST(LeaderIT, StandbyTakesOverAtOnceWhenTheLeaderReleases) {
  const std::string lease = uniqueName("lock");
  const LeaderElectionTiming timing{20s, 10s, 500ms};
  boost::asio::io_context io;
  Replica a(io, lease, "replica-a", timing);
  Replica b(io, lease, "replica-b", timing);
  ASSERT_TRUE(a.elector->start().ok());
  ASSERT_TRUE(runUntil(
      io, [&] { return a.leading; }, 30s));
  ASSERT_TRUE(b.elector->start().ok());
  runUntil(
      io, [] { return false; }, 2s);  // b is campaigning and losing
  EXPECT_FALSE(b.leading);
  EXPECT_EQ(holderOf(lease), "replica-a");

  const auto released = Clock::now();
  a.elector->stop();
  ASSERT_TRUE(runUntil(
      io, [&] { return b.leading; }, 30s));
  EXPECT_FALSE(a.leading);
  EXPECT_LT(b.startedAt - released, 10s) << "took over long before the 20s lease ran out";
  EXPECT_EQ(holderOf(lease), "replica-b");
  auto l = admin().get(resources::kLeases, env().ns, lease);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ((*l)["spec"]["leaseTransitions"], 1);
  EXPECT_EQ((*l)["spec"]["leaseDurationSeconds"], 20);
  b.elector->stop();
  EXPECT_EQ(holderOf(lease), "");
}

TEST(LeaderIT, StandbyTakesOverAfterExpiryAndTheCutOffLeaderStepsDownFirst) {
  const std::string lease = uniqueName("lock");
  const LeaderElectionTiming timing{4s, 3s, 500ms};
  boost::asio::io_context io;
  Replica a(io, lease, "replica-a", timing);
  Replica b(io, lease, "replica-b", timing);
  ASSERT_TRUE(a.elector->start().ok());
  ASSERT_TRUE(runUntil(
      io, [&] { return a.leading; }, 30s));
  ASSERT_TRUE(b.elector->start().ok());
  runUntil(
      io, [] { return false; }, 2s);
  ASSERT_FALSE(b.leading);

  const auto cut = Clock::now();
  a.partitionable.partition(true);  // a can neither renew nor release
  ASSERT_TRUE(runUntil(
      io, [&] { return b.leading; }, 30s));
  EXPECT_FALSE(a.leading);
  EXPECT_LT(a.stoppedAt, b.startedAt) << "never two leaders: a stepped down before b started";
  EXPECT_GE(b.startedAt - cut, 3s) << "b waited for the 4s lease (less a's last renew interval)";
  EXPECT_EQ(holderOf(lease), "replica-b");
  a.elector->stop();
  b.elector->stop();
}

}  // namespace
}  // namespace ironlb::k8s::it
