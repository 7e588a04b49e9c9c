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

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/k8s/api_client.h"
#include "common/k8s/cancel_token.h"
#include "common/k8s/leader_election.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

struct LeaderElectorOptions {
  std::string ns{};
  std::string name{};
  std::string identity{};  // unique per replica (pod name)
  LeaderElectionTiming timing{};
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

 private:
  struct Shared;
  void run();
  void tryAcquireOrRenew(LeaderElectionCore& core);
  void release(LeaderElectionCore& core);
  void emit(LeaderTransition t);
  void noteHolder(const std::string& holder);
  CallOptions call();

  ApiClient& client_;
  boost::asio::io_context& io_;
  LeaderElectorOptions options_;
  std::shared_ptr<Shared> shared_;
  std::atomic<bool> leader_{false};
  CancelToken cancel_;
  std::thread thread_;
  std::string lastHolder_;
  bool haveHolder_ = false;
};

}  // namespace ironlb::k8s
