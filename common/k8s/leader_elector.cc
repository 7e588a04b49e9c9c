// LeaderElector: the Lease loop on a background thread.
#include "common/k8s/leader_elector.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>

#include "common/k8s/object_meta.h"
#include "common/util/logging.h"

namespace ironlb::k8s {

// Callbacks posted to the io_context hold this; the destructor disarms them.
struct LeaderElector::Shared {
  LeaderCallbacks callbacks;
  std::atomic<bool> alive{true};
};

LeaderElector::LeaderElector(ApiClient& client, boost::asio::io_context& io,
                             LeaderElectorOptions options, LeaderCallbacks callbacks)
    : client_(client), io_(io), options_(std::move(options)), shared_(std::make_shared<Shared>()) {
  shared_->callbacks = std::move(callbacks);
  if (!options_.clock) options_.clock = &util::SystemClock::instance();
  if (!options_.random) options_.random = util::makeRandomSource();
  if (!options_.sleeper) options_.sleeper = realSleeper();
}

LeaderElector::~LeaderElector() {
  stop();
}

Status LeaderElector::start() {
  if (options_.ns.empty() || options_.name.empty() || options_.identity.empty()) {
    return makeError("leader election: lease namespace, name and identity must all be set");
  }
  if (auto st = validateTiming(options_.timing); !st) {
    return makeError("leader election: " + st.error());
  }
  if (thread_.joinable()) return makeError("leader election: already started");
  thread_ = std::thread([this] { run(); });
  return {};
}

void LeaderElector::stop() {
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

CallOptions LeaderElector::call() {
  const auto& t = options_.timing;
  // The elector retries every retryPeriod itself and must notice its renew deadline: no waiting
  // out Retry-After or the write rate limit inside a call (docs/kubernetes-client.md).
  return CallOptions{.timeout = std::max(t.retryPeriod, t.renewDeadline / 2),
                     .cancel = &cancel_,
                     .honourRetryAfter = false,
                     .rateLimited = false};
}

void LeaderElector::emit(LeaderTransition t) {
  if (t == LeaderTransition::kNone) return;
  const bool leading = t == LeaderTransition::kStartedLeading;
  leader_ = leading;
  auto log = util::getLogger("leader");
  util::logWith(*log, spdlog::level::info, leading ? "started leading" : "stopped leading",
                {{"lease", options_.ns + "/" + options_.name}, {"identity", options_.identity}});
  boost::asio::post(io_, [shared = shared_, leading] {
    if (!shared->alive) return;
    auto& cb = leading ? shared->callbacks.onStartedLeading : shared->callbacks.onStoppedLeading;
    if (cb) cb();
  });
}

void LeaderElector::noteHolder(const std::string& holder) {
  if (haveHolder_ && holder == lastHolder_) return;
  haveHolder_ = true;
  lastHolder_ = holder;
  boost::asio::post(io_, [shared = shared_, holder] {
    if (shared->alive && shared->callbacks.onNewLeader) shared->callbacks.onNewLeader(holder);
  });
}

std::optional<util::MonoTime> LeaderElector::writeDeadline() const {
  const auto at = writeDeadline_.load();
  if (at == 0) return std::nullopt;
  return util::MonoTime(util::Duration(at));
}

void LeaderElector::tryAcquireOrRenew(LeaderElectionCore& core) {
  const util::Clock& clock = *options_.clock;
  auto log = util::getLogger("leader");
  // A standby can only count the lease out from after this attempt's write: fencing starts here.
  const util::MonoTime attempt = clock.now();
  struct Fence {  // on every way out: no deadline unless leading
    LeaderElector& self;
    LeaderElectionCore& core;
    ~Fence() {
      if (!core.isLeader()) self.writeDeadline_.store(0);
    }
  } fence{*this, core};
  auto current = client_.get(resources::kLeases, options_.ns, options_.name, call());
  if (cancel_.cancelled()) return;
  if (!current && !current.error().isNotFound()) {
    util::logWith(*log, spdlog::level::warn, "cannot read lease",
                  {{"error", current.error().describe()}});
    emit(core.onAttemptFailed(clock.now()));
    return;
  }
  std::optional<LeaseRecord> observed;
  std::string version;
  if (current) {
    observed = leaseRecordFromJson(*current);
    version = resourceVersionOf(*current);
    noteHolder(observed->holderIdentity);
  }
  observedVersion_ = version;
  const auto plan = core.plan(observed, version, clock.now(), clock.wallNow());
  emit(plan.transition);
  if (plan.step == LeaderElectionCore::Step::kWait) return;

  Json lease;
  if (plan.step == LeaderElectionCore::Step::kCreate) {
    lease = Json{{"apiVersion", "coordination.k8s.io/v1"},
                 {"kind", "Lease"},
                 {"metadata", {{"name", options_.name}, {"namespace", options_.ns}}}};
  } else {
    lease = std::move(*current);  // keeps labels/annotations; carries the resourceVersion read
  }
  applyLeaseRecord(lease, plan.desired);
  if (!ownerReference_.is_null()) {
    lease["metadata"]["ownerReferences"] = Json::array({ownerReference_});
  }
  auto written = plan.step == LeaderElectionCore::Step::kCreate
                     ? client_.create(resources::kLeases, options_.ns, lease, call())
                     : client_.update(resources::kLeases, lease, call());
  if (cancel_.cancelled()) return;
  if (!written) {
    // A 409 or AlreadyExists means another candidate won this round: not worth a warning.
    const bool lostRace = written.error().isConflict() || written.error().isAlreadyExists();
    util::logWith(*log, lostRace ? spdlog::level::debug : spdlog::level::warn, "lease write failed",
                  {{"error", written.error().describe()}});
    emit(core.onAttemptFailed(clock.now()));
    return;
  }
  noteHolder(plan.desired.holderIdentity);
  observedVersion_ = resourceVersionOf(*written);
  if (plan.desired.holderIdentity == options_.identity) {
    writeDeadline_.store((attempt + options_.timing.renewDeadline).time_since_epoch().count());
  }
  emit(core.onWriteSucceeded(plan.desired, observedVersion_, clock.now()));
}

void LeaderElector::release(LeaderElectionCore& core) {
  writeDeadline_.store(0);  // stopping: no more writes as leader
  const auto record = core.releaseRecord(options_.clock->wallNow());
  if (!record) return;
  // stop() cancelled the shared token; the release gets its own bounded call.
  CancelToken releaseToken;
  const CallOptions releaseCall{.timeout = options_.timing.renewDeadline,
                                .cancel = &releaseToken,
                                .honourRetryAfter = false,
                                .rateLimited = false};
  auto log = util::getLogger("leader");
  auto current = client_.get(resources::kLeases, options_.ns, options_.name, releaseCall);
  if (current && leaseRecordFromJson(*current).holderIdentity == options_.identity) {
    Json lease = std::move(*current);
    applyLeaseRecord(lease, *record);
    auto written = client_.update(resources::kLeases, lease, releaseCall);
    if (!written) {
      util::logWith(*log, spdlog::level::warn, "lease release failed; standby waits for expiry",
                    {{"error", written.error().describe()}});
    }
  } else if (!current) {
    util::logWith(*log, spdlog::level::warn, "lease release: cannot read lease",
                  {{"error", current.error().describe()}});
  }
  emit(core.onReleased());
}

void LeaderElector::resolveOwner() {
  if (!options_.owner) return;
  const auto& o = *options_.owner;
  auto got = client_.get(o.type, options_.ns, o.name, call());
  if (!got) {
    util::logWith(*util::getLogger("leader"), spdlog::level::warn,
                  "lease owner not found: the Lease will outlive an uninstall",
                  {{"owner", o.type.kind + " " + options_.ns + "/" + o.name},
                   {"error", got.error().describe()}});
    return;
  }
  ownerReference_ = Json{{"apiVersion", o.type.apiVersion()},
                         {"kind", o.type.kind},
                         {"name", o.name},
                         {"uid", uidOf(*got)}};
}

void LeaderElector::run() {
  resolveOwner();
  LeaderElectionCore core(options_.identity, options_.timing);
  const auto& t = options_.timing;
  while (!cancel_.cancelled()) {
    tryAcquireOrRenew(core);
    if (cancel_.cancelled()) break;
    // The leader renews on a steady beat; candidates spread out (client-go's jitter factor).
    util::Duration wait = t.retryPeriod;
    if (!core.isLeader()) {
      wait += std::chrono::duration_cast<util::Duration>(t.retryPeriod * (1.2 * options_.random()));
      if (!waitAsStandby(wait)) break;
    } else if (!options_.sleeper(wait, cancel_)) {
      break;
    }
  }
  release(core);
}

bool LeaderElector::waitAsStandby(util::Duration wait) {
  if (!options_.watchAsStandby || observedVersion_.empty()) {
    return options_.sleeper(wait, cancel_);
  }
  const util::Clock& clock = *options_.clock;
  const util::MonoTime start = clock.now();
  WatchOptions w;
  w.resourceVersion = observedVersion_;
  // The server ends the watch after whole seconds; the next attempt is due by then anyway.
  w.timeoutSeconds =
      static_cast<int>(std::max<int64_t>(1, std::chrono::ceil<std::chrono::seconds>(wait).count()));
  w.allowBookmarks = false;
  w.fieldSelector = "metadata.name=" + options_.name;
  w.readMargin = std::chrono::seconds(5);
  w.cancel = &cancel_;
  bool changed = false;
  auto watched = client_.watch(resources::kLeases, options_.ns, w, [&](WatchEvent&& e) {
    if (e.type == WatchEventType::kAdded || e.type == WatchEventType::kModified ||
        e.type == WatchEventType::kDeleted) {
      changed = true;
      return false;
    }
    return true;
  });
  if (cancel_.cancelled()) return false;
  if (changed) return true;
  // The watch failed (410 Gone, a transport error) or ended early: sleep out the period.
  if (!watched) {
    util::logWith(*util::getLogger("leader"), spdlog::level::debug, "lease watch failed",
                  {{"error", watched.error().describe()}});
  }
  const util::Duration left = wait - (clock.now() - start);
  return left <= util::Duration::zero() || options_.sleeper(left, cancel_);
}

}  // namespace ironlb::k8s
