#include "controller/daemon/leader_session.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <vector>

#include "common/api/service.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/status_writer.h"
#include "common/lbconfig/verdict.h"
#include "common/util/logging.h"
#include "controller/daemon/config_source.h"
#include "controller/daemon/service_status.h"

namespace ironlb::controller {
namespace {

using k8s::WorkQueue;

std::shared_ptr<spdlog::logger> log() {
  static auto logger = util::getLogger("controller");
  return logger;
}

}  // namespace

LeaderSession::LeaderSession(SessionContext context)
    : ctx_(context),
      reconciler_(ctx_.flags.lbClass),
      holdTimer_(ctx_.io),
      restoreRetry_(ctx_.io),
      restoreList_(ctx_.io, "restore-list"),
      alive_(std::make_shared<bool>(true)),
      poolStatus_(
          ctx_.api, ctx_.io, ctx_.config.pools(), ctx_.flags.ns,
          [this](const std::string& pool) { return reconciler_.allocator().counters(pool); },
          [this](const std::string& pool) { return reconciler_.allocator().inUse(pool); },
          [this](const std::string& pool) { return reconciler_.allocator().holders(pool); },
          ctx_.events, ctx_.allocatorMetrics, ctx_.poolStatusInterval,
          [this] { return reconciler_.allocator().servicesPerPool(); }),
      writes_(ctx_.io, static_cast<std::size_t>(ctx_.flags.statusWriters), "status",
              ctx_.writesPending, ctx_.clock),
      queue_(ctx_.io,
             [this](const std::string& key, WorkQueue::Done done) { reconcile(key, done); },
             {.clock = &ctx_.clock, .metrics = &ctx_.k8sMetrics}) {
  ctx_.writeLimitGauge.set(static_cast<double>(writes_.limit()));
  if (ctx_.configState) configState_ = ctx_.configState();
  reconciler_.setHoldBack(ctx_.flags.releaseHold);
  advanceClock();
}

LeaderSession::~LeaderSession() {
  *alive_ = false;
  holdTimer_.cancel();
  restoreRetry_.cancel();
  restoreList_.stop();
  queue_.shutDown();
  writes_.stop();
  poolStatus_.stop();
  ctx_.pendingGauge.set(0);
  ctx_.writeLimitGauge.set(0);
}

void LeaderSession::start() {
  if (started_) return;
  started_ = true;
  util::logWith(*log(), spdlog::level::info, "leading: building configuration",
                {{"services", static_cast<int64_t>(ctx_.services.store().size())},
                 {"pools", static_cast<int64_t>(ctx_.config.pools().store().size())}});
  applyConfig();
}

void LeaderSession::configChanged() {
  if (!started_ || configPosted_) return;
  configPosted_ = true;
  boost::asio::post(ctx_.io, [this, alive = alive_] {
    if (!*alive) return;
    configPosted_ = false;
    applyConfig();
  });
}

void LeaderSession::applyConfig() {
  std::vector<lbconfig::Pool> deleting;
  lbconfig::BuildResult result = buildConfig(ctx_.config.stores(), ctx_.flags.ns, &deleting);
  const lbconfig::IssueReport report = issues_.update(result);
  reportIssues(report);
  if (configState_) configState_->report(lbconfig::verdictOf(result));
  ctx_.k8sMetrics.configStale().set(report.valid ? 0 : 1);
  if (!report.valid) {
    util::logWith(*log(), spdlog::level::err,
                  running_ ? "configuration invalid: keeping the last valid configuration"
                           : "configuration invalid: waiting for a valid one before restoring "
                             "any assignment",
                  {{"errors", static_cast<int64_t>(report.errors)}});
    return;
  }
  ctx_.k8sMetrics.configLoaded().set(1);
  if (report.recovered) {
    util::logWith(*log(), spdlog::level::info, "configuration valid again", {});
  }
  lbconfig::Config config = std::move(*result.config);
  const bool poolsChanged = !config_ || config_->pools() != config.pools() || deleting_ != deleting;
  const auto deletingNamed = [&](const std::string& name) {
    return std::any_of(deleting.begin(), deleting.end(),
                       [&](const lbconfig::Pool& p) { return p.name == name; });
  };
  std::vector<std::string> gone;
  if (config_) {
    for (const auto& [name, pool] : config_->pools())
      if (!config.pool(name) && !deletingNamed(name)) gone.push_back(name);
  }
  for (const auto& pool : deleting_)
    if (!config.pool(pool.name) && !deletingNamed(pool.name)) gone.push_back(pool.name);
  if (poolsChanged) {
    std::vector<lbconfig::Pool> pools;
    for (const auto& [name, pool] : config.pools())
      pools.push_back(pool);
    pools.insert(pools.end(), deleting.begin(), deleting.end());
    advanceClock();
    auto change = reconciler_.setPools(std::move(pools));
    if (!change) {
      // lbconfig::build validated the pools; the allocator disagreeing is a defect.
      util::logWith(*log(), spdlog::level::err, "allocator rejected a valid configuration",
                    {{"error", change.error()}});
      ctx_.k8sMetrics.configStale().set(1);
      return;
    }
    util::logWith(*log(), spdlog::level::info, "pools applied",
                  {{"pools", static_cast<int64_t>(config.pools().size())},
                   {"cleared", static_cast<int64_t>(change->cleared.size())},
                   {"repooled", static_cast<int64_t>(change->repooled.size())}});
    if (running_) {
      for (const std::string& key : change->cleared)
        queue_.add(key);
      for (const std::string& key : change->repooled)
        queue_.add(key);
      // A pool edit undone: Services with held-back IPs may take them back (docs/allocation.md).
      for (const auto& [ip, hold] : reconciler_.allocator().holds().entries())
        queue_.add(hold.service);
      retryPending();
    }
  }
  config_ = std::move(config);
  deleting_ = std::move(deleting);
  armHoldTimer();
  for (const std::string& name : gone)
    poolStatus_.forget(name);
  if (!running_) beginRestore();
  if (poolsChanged) poolStatus_.markAllDirty();
}

void LeaderSession::reportIssues(const lbconfig::IssueReport& report) {
  auto one = [&](const lbconfig::Issue& issue, bool error) {
    util::logWith(*log(), error ? spdlog::level::err : spdlog::level::warn,
                  error ? "configuration error" : "configuration warning",
                  {{"object", issue.kind + " " + issue.ns + "/" + issue.name},
                   {"field", issue.path},
                   {"problem", issue.message}});
    const k8s::Informer* informer = ctx_.config.ofKind(issue.kind);
    const k8s::Json* object =
        informer ? informer->get(k8s::objectKey(issue.ns, issue.name)) : nullptr;
    if (object) {
      std::string message = issue.path.empty() ? issue.message : issue.path + ": " + issue.message;
      ctx_.events.record(k8s::referenceTo(*configSourceOf(issue.kind)->type, *object),
                         k8s::EventType::kWarning, error ? "InvalidConfiguration" : "ConfigWarning",
                         std::move(message));
    }
  };
  for (const auto& e : report.newErrors)
    one(e, true);
  for (const auto& w : report.newWarnings)
    one(w, false);
}

void LeaderSession::beginRestore() {
  if (restoreStarted_) return;
  restoreStarted_ = true;
  k8s::ApiClient& api = ctx_.api;
  restoreList_.submit<k8s::ApiResult<k8s::ObjectList>>(
      [&api, token = &restoreList_.token()] {
        // resourceVersion "" = a quorum read: at least as new as every write acknowledged
        // before it, including the previous leader's.
        return api.listAll(
            k8s::resources::kServices, "",
            {.limit = 500, .call = {.cancel = token}, .transform = k8s::dropManagedFields});
      },
      [this, alive = alive_](k8s::ApiResult<k8s::ObjectList> list) {
        if (!*alive) return;
        if (!list) {
          util::logWith(*log(), spdlog::level::warn,
                        "cannot list Services for the start-up restore; trying again",
                        {{"error", list.error().describe()}});
          restoreStarted_ = false;
          restoreRetry_.expires_after(std::chrono::seconds(1));
          restoreRetry_.async_wait([this, alive](const boost::system::error_code& ec) {
            if (!ec && *alive) beginRestore();
          });
          return;
        }
        restoreAll(list->items);
        running_ = true;
        for (const auto& [key, json] : ctx_.services.store().items())
          queue_.add(key);
        // Deleted after the list was taken but before its answer was handled: the restore gave
        // them back their addresses; reconciling them (absent now) releases those.
        for (const std::string& key : deletedBeforeRunning_)
          queue_.add(key);
        deletedBeforeRunning_.clear();
        poolStatus_.markAllDirty();
        if (ctx_.onRunning) ctx_.onRunning();
      });
}

void LeaderSession::restoreAll(const std::vector<k8s::Json>& services) {
  int64_t restored = 0;
  int64_t failed = 0;
  std::vector<std::pair<std::string, const k8s::Json*>> sorted;  // key order, as before
  sorted.reserve(services.size());
  for (const auto& json : services)
    sorted.emplace_back(k8s::objectKey(json), &json);
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [key, object] : sorted) {
    const k8s::Json& json = *object;
    if (plainlyNotOurs(json, ctx_.flags.lbClass)) continue;
    auto service = api::decodeService(json);
    if (!service) continue;  // reconcile reports it
    if (service->status.ingress.empty()) continue;
    auto st = reconciler_.restore(*service, namespaceLabels(service->meta.ns));
    if (st) {
      restored += reconciler_.allocator().assignment(key).has_value() ? 1 : 0;
    } else {
      ++failed;
      util::logWith(*log(), spdlog::level::warn, "cannot restore assignment",
                    {{"service", key}, {"reason", st.error()}});
    }
  }
  util::logWith(*log(), spdlog::level::info, "restored assignments from Service statuses",
                {{"restored", restored}, {"failed", failed}});
}

void LeaderSession::serviceAdded(const k8s::Json& object) {
  if (running_) queue_.add(k8s::objectKey(object));
}

void LeaderSession::serviceUpdated(const k8s::Json& before, const k8s::Json& after) {
  if (!running_) return;
  const std::string key = k8s::objectKey(after);
  if (auto it = written_.find(key);
      it != written_.end() && it->second.baseVersion != k8s::resourceVersionOf(after)) {
    written_.erase(it);  // the informer caught up with our write
  }
  // The echo of our own write (or any status-only change that leaves the Service showing what
  // we hold for it) changes nothing the reconcile reads: skip it.
  if (!pending_.count(key) && onlyStatusChanged(before, after)) {
    reconciler::DesiredStatus held;
    if (auto a = reconciler_.allocator().assignment(key)) held = {a->ips, a->pool};
    if (jsonStatusMatchesDesired(after, held)) return;
  }
  queue_.add(key);
}

k8s::InformerHandlers serviceEventHandlers(const std::unique_ptr<LeaderSession>& session) {
  return {.onAdd =
              [&session](const k8s::Json& s) {
                if (session) session->serviceAdded(s);
              },
          .onUpdate =
              [&session](const k8s::Json& before, const k8s::Json& after) {
                if (session) session->serviceUpdated(before, after);
              },
          .onDelete =
              [&session](const k8s::Json& s) {
                if (session) session->serviceDeleted(s);
              }};
}

void LeaderSession::serviceDeleted(const k8s::Json& last) {
  const std::string key = k8s::objectKey(last);
  written_.erase(key);
  if (running_) {
    queue_.add(key);
  } else {
    // The restore list may still show it (taken before the deletion): look at it once running.
    deletedBeforeRunning_.insert(key);
  }
}

void LeaderSession::namespaceChanged(const std::string& ns) {
  if (!running_) return;
  const std::string prefix = ns + "/";
  const auto& items = ctx_.services.store().items();
  for (auto it = items.lower_bound(prefix); it != items.end() && it->first.starts_with(prefix);
       ++it) {
    queue_.add(it->first);
  }
}

const lbconfig::Labels& LeaderSession::namespaceLabels(const std::string& ns) const {
  static const lbconfig::Labels kNone;
  auto it = ctx_.namespaces.find(ns);
  return it == ctx_.namespaces.end() ? kNone : it->second;
}

std::optional<api::Service> LeaderSession::current(const std::string& key) {
  const k8s::Json* object = ctx_.services.get(key);
  if (!object) return std::nullopt;
  auto service = api::decodeService(*object);
  if (!service) {
    util::logWith(*log(), spdlog::level::warn, "cannot read Service",
                  {{"service", key}, {"error", service.error()}});
    return std::nullopt;
  }
  if (auto it = written_.find(key); it != written_.end()) {
    if (it->second.baseVersion == service->meta.resourceVersion) {
      applyDesiredToDecoded(*service, it->second.desired);
    } else {
      written_.erase(it);  // the informer caught up (or moved past our write)
    }
  }
  return std::move(*service);
}

void LeaderSession::reconcile(const std::string& key, WorkQueue::Done done) {
  const k8s::Json* object = ctx_.services.get(key);
  if (object && !pending_.count(key) && plainlyNotOurs(*object, ctx_.flags.lbClass) &&
      !reconciler_.allocator().assignment(key)) {
    done(WorkQueue::Outcome::kDone);  // most Services in a cluster: not worth decoding
    return;
  }
  std::optional<api::Service> service = current(key);
  if (object && !service) {
    done(WorkQueue::Outcome::kDone);  // undecodable: logged; nothing sensible to do
    return;
  }
  const std::string ns = k8s::splitKey(key).first;
  advanceClock();
  reconciler::Decision d =
      reconciler_.reconcile(key, service ? &*service : nullptr, namespaceLabels(ns));
  for (const auto& e : d.events) {
    const bool warning = e.type == reconciler::EventType::kWarning;
    util::logWith(*log(), warning ? spdlog::level::warn : spdlog::level::info, e.reason,
                  {{"service", key}, {"message", e.message}});
    if (object) {
      ctx_.events.record(k8s::referenceTo(k8s::resources::kServices, *object),
                         warning ? k8s::EventType::kWarning : k8s::EventType::kNormal, e.reason,
                         e.message);
    }
  }
  for (const std::string& pool : d.touchedPools)
    poolStatus_.markDirty(pool);
  setPending(key, d.pending);
  if (d.freedIps) retryPending();
  armHoldTimer();
  if (!d.manage) {
    if (!object) written_.erase(key);
    done(WorkQueue::Outcome::kDone);
    return;
  }
  if (statusMatchesDesired(*service, d.desired)) {
    done(WorkQueue::Outcome::kDone);
    return;
  }
  write(key, std::move(d.desired), service->meta.resourceVersion, std::move(done));
}

void LeaderSession::write(const std::string& key, reconciler::DesiredStatus desired,
                          std::string decidedVersion, WorkQueue::Done done) {
  writes_.enqueue([this, key, desired = std::move(desired),
                   decidedVersion = std::move(decidedVersion),
                   done]() -> StatusWriterPool::Blocking {
    // A worker is free: write from the freshest copy. Unless the Service changed since the
    // decision, it still needs the write (nothing else writes it while its key is in flight).
    const k8s::Json* object = ctx_.services.get(key);
    if (!object) {
      done(WorkQueue::Outcome::kDone);
      return {};
    }
    if (k8s::resourceVersionOf(*object) != decidedVersion) {
      std::optional<api::Service> service = current(key);
      if (!service || statusMatchesDesired(*service, desired)) {
        done(WorkQueue::Outcome::kDone);
        return {};
      }
    }
    k8s::Json snapshot = *object;
    const std::string base = k8s::resourceVersionOf(snapshot);
    k8s::ApiClient& api = ctx_.api;
    return [this, &api, key, base, desired, done, faultDelay = ctx_.flags.faultStatusWriteDelay,
            deadline = ctx_.writeDeadline, &clock = ctx_.clock,
            snapshot = std::move(snapshot)]() mutable -> StatusWriterPool::Completion {
      if (faultDelay > util::Duration::zero()) {
        // Fault injection (--fault-status-write-delay, tests only): a slow or paused writer.
        StatusWriterPool::currentToken()->sleepFor(faultDelay);
      }
      // The pool handles 429 itself (fewer writes in flight), so the client returns it.
      k8s::CallOptions call{.cancel = StatusWriterPool::currentToken(), .honourRetryAfter = false};
      if (deadline) {
        // Fencing (docs/leader-election.md): start no write once the lease may have lapsed.
        const auto until = deadline();
        const util::MonoTime now = clock.now();
        if (!until || now >= *until) {
          return [this, key, done] { fenced(key, done); };
        }
      }
      // One attempt: a 409 means the Service changed; the key is decided again (written()).
      auto result =
          k8s::updateStatusWithRetry(api, k8s::resources::kServices, std::move(snapshot),
                                     [&desired](k8s::Json& s) { return applyDesired(s, desired); },
                                     {.maxAttempts = 1, .call = call});
      return [this, key, base, desired = std::move(desired), done, result = std::move(result)] {
        written(key, base, desired, result, done);
      };
    };
  });
}

void LeaderSession::written(const std::string& key, const std::string& baseVersion,
                            reconciler::DesiredStatus desired,
                            const k8s::ApiResult<k8s::Json>& result, const WorkQueue::Done& done) {
  if (result) {
    writes_.succeeded();
    ctx_.writeLimitGauge.set(static_cast<double>(writes_.limit()));
    written_[key] = {baseVersion, std::move(desired)};
    done(WorkQueue::Outcome::kDone);
    return;
  }
  if (result.error().isNotFound()) {
    done(WorkQueue::Outcome::kDone);  // deleted meanwhile; the delete event follows
    return;
  }
  if (result.error().isTooManyRequests()) {
    // API Priority and Fairness (or max-in-flight) pushed back: fewer writes at once, and this
    // one comes back after Retry-After.
    const auto pushback = writes_.pushedBack(result.error().retryAfter);
    if (pushback != StatusWriterPool::Pushback::kNone) {
      util::logWith(*log(), spdlog::level::info,
                    pushback == StatusWriterPool::Pushback::kPaused
                        ? "API server pushed back (429): pausing status writes"
                        : "API server pushed back (429): fewer status writes at once",
                    {{"retry_after_s", static_cast<int64_t>(result.error().retryAfter.count())},
                     {"in_flight_limit", static_cast<int64_t>(writes_.limit())}});
    }
    ctx_.writeLimitGauge.set(static_cast<double>(writes_.limit()));
    queue_.retryNoSoonerThan(key, result.error().retryAfter.count() > 0
                                      ? util::Duration(result.error().retryAfter)
                                      : util::Duration(std::chrono::seconds(1)));
    done(WorkQueue::Outcome::kRetry);
    return;
  }
  if (result.error().isConflict()) {
    // Changed since the decision (another writer, or a previous leader's late write): decide
    // again from the newer copy the informer is about to deliver, never re-apply blindly.
    util::logWith(*log(), spdlog::level::debug,
                  "Service changed before its status write: deciding again", {{"service", key}});
    done(WorkQueue::Outcome::kRetry);
    return;
  }
  util::logWith(*log(), spdlog::level::warn, "cannot write Service status",
                {{"service", key}, {"error", result.error().describe()}});
  done(WorkQueue::Outcome::kRetry);
}

void LeaderSession::fenced(const std::string& key, const WorkQueue::Done& done) {
  ++fencedWrites_;
  util::logWith(*log(), spdlog::level::warn,
                "status write not sent: the lease may have lapsed (write fencing)",
                {{"service", key}, {"fenced_writes", static_cast<int64_t>(fencedWrites_)}});
  queue_.retryNoSoonerThan(key, std::chrono::seconds(1));
  done(WorkQueue::Outcome::kRetry);
}

void LeaderSession::setPending(const std::string& key, bool pending) {
  if (pending) {
    pending_.insert(key);
  } else {
    pending_.erase(key);
  }
  ctx_.pendingGauge.set(static_cast<double>(pending_.size()));
}

void LeaderSession::retryPending() {
  if (retryPosted_ || pending_.empty()) return;
  retryPosted_ = true;
  boost::asio::post(ctx_.io, [this, alive = alive_] {
    if (!*alive) return;
    retryPosted_ = false;
    for (const std::string& key : pending_)
      queue_.add(key);
  });
}

void LeaderSession::advanceClock() {
  std::vector<std::string> touched;
  if (!reconciler_.advanceTo(ctx_.clock.now(), &touched)) return;
  for (const std::string& pool : touched)
    poolStatus_.markDirty(pool);
  retryPending();  // held-back IPs are free now
}

void LeaderSession::armHoldTimer() {
  const auto next = reconciler_.allocator().nextHoldExpiry();
  if (!next || (holdTimerAt_ && *holdTimerAt_ <= *next)) return;
  holdTimerAt_ = next;
  // The timer runs on the steady clock; the hold's end is on ctx_.clock (the same in production).
  holdTimer_.expires_after(std::max(util::Duration::zero(), *next - ctx_.clock.now()));
  holdTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    holdTimerAt_.reset();
    advanceClock();
    armHoldTimer();
  });
}

}  // namespace ironlb::controller
