#pragma once
// LeaderElector: runs LeaderElectionCore against a real Lease on its own thread and posts
// leadership changes to the daemon's io_context.
//
//   LeaderElector elector(api, io,
//       {.ns = "metallb-system", .name = "ironlb-controller", .identity = podName},
//       {.onStartedLeading = [&] { controller.activate(); },
//        .onStoppedLeading = [&] { controller.deactivate(); }});   // or exit, as client-go does
//   if (auto st = elector.start(); !st) fail(st.error());
//   ...
//   elector.stop();   // releases the lease if held, so a standby takes over at once
//
// Callbacks run on the io_context thread, in order; stop() posts a final onStoppedLeading when
// leading, which runs at the next turn of the loop. Destroying the elector disarms callbacks
// not yet run. After onStoppedLeading the daemon must not
// write as the leader: it fires when a renewal has not succeeded for renewDeadline, when another
// identity is seen holding the lease, and on stop(). Each HTTP call is bounded
// (max(retryPeriod, renewDeadline/2)), so a hung API server cannot delay stepping down by more
// than that beyond renewDeadline.
//
// Write fencing (docs/leader-election.md): writeDeadline() is when the leader must stop
// writing: the start of its last successful renewal plus renewDeadline. No standby can take
// over before that start plus leaseDuration, so a write begun before the deadline has
// leaseDuration - renewDeadline to land before another leader exists.

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/k8s/api_client.h"
#include "common/k8s/cancel_token.h"
#include "common/k8s/leader_election_core.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

// An object in the Lease's namespace that owns the Lease (the controller's Deployment): the
// garbage collector then removes the Lease with it, so an uninstall leaves no Lease behind.
struct LeaseOwner {
  ResourceType type;
  std::string name;
};

struct LeaderElectorOptions {
  std::string ns{};
  std::string name{};
  std::string identity{};  // unique per replica (pod name)
  LeaderElectionTiming timing{};
  // Between attempts a standby watches the Lease instead of only sleeping, and tries again as
  // soon as it changes: a released lease goes to the replica that was waiting for it, at once,
  // not to whichever candidate's timer fires first (a replacement pod starting meanwhile would
  // often win). A failed watch falls back to sleeping out the period.
  bool watchAsStandby = true;
  // Looked up once (its uid) when campaigning starts; a failed lookup is logged and the Lease
  // is written without an owner.
  std::optional<LeaseOwner> owner{};
  // Injection points (defaults: system clock, random seed, real sleeping).
  const util::Clock* clock = nullptr;
  util::RandomSource random{};
  Sleeper sleeper{};
};

struct LeaderCallbacks {
  std::function<void()> onStartedLeading{};
  std::function<void()> onStoppedLeading{};
  // The holder changed (including to ourselves; "" when released).
  std::function<void(const std::string& holder)> onNewLeader{};
};

class LeaderElector {
 public:
  LeaderElector(ApiClient& client, boost::asio::io_context& io, LeaderElectorOptions options,
                LeaderCallbacks callbacks);
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Validates the options and starts campaigning.
  Status start();
  // Stops campaigning; releases the lease if held (bounded by renewDeadline); posts
  // onStoppedLeading if we were leading; joins.
  void stop();

  // Any thread. The logic thread should rather track the callbacks (they are ordered with
  // its other work); this is for probes and logs.
  bool isLeader() const { return leader_.load(); }
  // Any thread: the time (options.clock) after which this replica must not start a write as
  // leader; nullopt while not leading.
  std::optional<util::MonoTime> writeDeadline() const;

 private:
  struct Shared;
  void run();
  void tryAcquireOrRenew(LeaderElectionCore& core);
  void release(LeaderElectionCore& core);
  void resolveOwner();
  // Waits up to `wait` or until the Lease changes; false when stopped.
  bool waitAsStandby(util::Duration wait);
  void emit(LeaderTransition t);
  void noteHolder(const std::string& holder);
  CallOptions call();

  ApiClient& client_;
  boost::asio::io_context& io_;
  LeaderElectorOptions options_;
  std::shared_ptr<Shared> shared_;
  std::atomic<bool> leader_{false};
  std::atomic<util::Duration::rep> writeDeadline_{0};  // 0: not leading
  CancelToken cancel_;
  std::thread thread_;
  std::string lastHolder_;
  bool haveHolder_ = false;
  std::string observedVersion_;  // resourceVersion of the Lease as last read ("" = none)
  Json ownerReference_;          // null: the Lease has no owner
};

}  // namespace ironlb::k8s
