#pragma once
// StatusSync: keeps this node's ServiceL2Status (or, for BGP mode, ServiceBGPStatus) objects
// equal to what it announces (control/status_plan.h decides, this class writes; status_kind.h
// says which kind). One write at a time on a background
// thread; the outcome is folded into the local view at once (so a create is never repeated
// while the informer catches up); failures retry with a jittered backoff, so an API outage only
// delays the objects and never touches the data plane. At steady state it writes nothing.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/k8s/api_client.h"
#include "common/k8s/background_worker.h"
#include "common/util/backoff.h"
#include "common/util/result.h"
#include "speaker/control/status_plan.h"
#include "speaker/daemon/status_kind.h"

namespace ironlb::speaker {

class StatusSync {
 public:
  // Told of every failed write, and of an object of ours that does not decode (left out).
  using Logger = std::function<void(const std::string& message)>;

  // The Pod that owns the objects we create (garbage-collected with it); empty: no owner.
  struct Owner {
    std::string podName, podUid;
  };
  StatusSync(boost::asio::io_context& io, k8s::ApiClient& api, const StatusKind& kind,
             std::string ns, std::string node, Owner owner, Logger onError);
  ~StatusSync();

  // The informer of our objects (the kind's, label metallb.io/node=<node> in `ns`).
  void onObject(const k8s::Json& object);
  void onDeleted(const k8s::Json& object);
  // Nothing is written before the informer's first list (we would not know what exists).
  void setSynced();

  void setDesired(control::AnnouncedServices desired);
  // Graceful stop: desired = nothing; `done` runs once our objects are gone or at `deadline`.
  void drain(std::chrono::steady_clock::duration deadline, std::function<void()> done);

  bool inSync() const;
  const StatusKind& kind() const { return kind_; }
  std::size_t owned() const { return owned_.size(); }
  uint64_t writes() const { return writes_; }
  uint64_t failures() const { return failures_; }

 private:
  struct Entry {
    control::OwnedStatus status;
    k8s::Json object;
  };
  struct Outcome {
    bool ok = false;
    bool gone = false;  // the object no longer exists (deleted, or 404)
    k8s::Json object;   // as written (create/update)
    std::string error;
  };
  // One write as the background worker runs it: everything captured by value except the
  // (thread-safe) client.
  struct Write {
    k8s::ApiClient* api;
    const StatusKind* kind;
    std::string ns;
    std::string node;
    Owner owner;
    control::StatusOp op;
    k8s::Json cached;  // our copy of the object (kUpdateStatus)
    k8s::CallOptions call;
  };
  void kick();
  void execute(const control::StatusOp& op);
  void finish(const control::StatusOp& op, Outcome outcome);
  void checkDrained();
  // Folds an object the API server served into owned_ (decoded with the kind's fuzzed
  // decoder); an object that does not decode is reported and left out.
  void track(const k8s::Json& object);
  Result<std::optional<Entry>> parse(const k8s::Json& object) const;
  // Worker thread: the three writes.
  static Outcome perform(const Write& write);
  static Outcome create(const Write& write);
  static Outcome updateStatus(const Write& write);
  static Outcome remove(const Write& write);

  boost::asio::io_context& io_;
  k8s::ApiClient& api_;
  const StatusKind& kind_;
  std::string ns_;
  std::string node_;
  Owner owner_;
  Logger onError_;
  k8s::BackgroundWorker worker_;
  boost::asio::steady_timer retry_;
  util::Backoff backoff_;
  std::map<std::string, Entry> owned_;  // by object name
  control::AnnouncedServices desired_;
  bool synced_ = false;
  bool inflight_ = false;
  bool waiting_ = false;  // a retry is scheduled
  std::function<void()> drained_;
  std::unique_ptr<boost::asio::steady_timer> drainTimer_;
  uint64_t writes_ = 0;
  uint64_t failures_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ironlb::speaker
