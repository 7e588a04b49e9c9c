// Informer: list/watch loop on a background thread; store updates and handlers on the logic
// thread.
#include "common/k8s/informer.h"

#include <boost/asio/post.hpp>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"

namespace ironlb::k8s {

// State shared with tasks posted to the io_context; they keep it alive and check `stopped`.
struct Informer::Core {
  InformerHandlers handlers;
  ObjectStore store;    // logic thread
  bool synced = false;  // logic thread
  std::atomic<bool> stopped{false};

  void emit(const StoreDelta& d) {
    if (stopped) return;
    switch (d.kind) {
      case StoreDelta::Kind::kAdd:
        if (handlers.onAdd) handlers.onAdd(*store.get(d.key));
        break;
      case StoreDelta::Kind::kUpdate:
        if (handlers.onUpdate) handlers.onUpdate(d.old, *store.get(d.key));
        break;
      case StoreDelta::Kind::kDelete:
        if (handlers.onDelete) handlers.onDelete(d.old);
        break;
    }
  }
};

Informer::Informer(ApiClient& client, boost::asio::io_context& io, InformerOptions options,
                   InformerHandlers handlers)
    : client_(client), io_(io), options_(std::move(options)), core_(std::make_shared<Core>()) {
  core_->handlers = std::move(handlers);
  if (options_.name.empty()) options_.name = options_.type.plural;
  if (!options_.random) options_.random = util::makeRandomSource();
  if (!options_.sleeper) options_.sleeper = realSleeper();
  if (!options_.clock) options_.clock = &util::SystemClock::instance();
}

Informer::~Informer() {
  stop();
}

void Informer::start() {
  if (thread_.joinable() || core_->stopped) return;
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  core_->stopped = true;
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
}

bool Informer::synced() const {
  return core_->synced;
}
const ObjectStore& Informer::store() const {
  return core_->store;
}
const Json* Informer::get(const std::string& key) const {
  return core_->store.get(key);
}

std::string Informer::resumeVersion() const {
  std::lock_guard lock(rvMu_);
  return resumeVersion_;
}

void Informer::setResumeVersion(const std::string& rv) {
  std::lock_guard lock(rvMu_);
  resumeVersion_ = rv;
}

void Informer::postReplace(std::vector<Json> items) {
  auto shared = std::make_shared<std::vector<Json>>(std::move(items));
  boost::asio::post(io_, [core = core_, shared] {
    if (core->stopped) return;
    const auto deltas = core->store.replace(std::move(*shared));
    for (const auto& d : deltas)
      core->emit(d);
    if (!core->synced && !core->stopped) {
      core->synced = true;
      if (core->handlers.onSynced) core->handlers.onSynced();
    }
  });
}

void dropManagedFields(Json& object) {
  auto meta = object.find("metadata");
  if (meta != object.end() && meta->is_object()) meta->erase("managedFields");
}

void Informer::postEvent(WatchEvent&& event) {
  if (options_.transform && event.object.is_object() &&
      (event.type == WatchEventType::kAdded || event.type == WatchEventType::kModified ||
       event.type == WatchEventType::kDeleted)) {
    options_.transform(event.object);
  }
  auto shared = std::make_shared<WatchEvent>(std::move(event));
  boost::asio::post(io_, [core = core_, shared] {
    if (core->stopped) return;
    if (auto d = core->store.apply(shared->type, std::move(shared->object))) core->emit(*d);
  });
}

// The list/watch loop's memory between steps (informer thread only).
struct Informer::LoopState {
  explicit LoopState(util::Backoff b) : backoff(std::move(b)) {}
  util::Backoff backoff;
  bool needList = true;
  std::string listReason = "initial";
  bool progressSinceList = false;
  int goneWithoutProgress = 0;
  std::string rv;  // the version the next watch starts from
};

// How one watch stream ended.
struct Informer::WatchOutcome {
  ApiResult<void> watched;
  bool gone = false;         // 410: the remembered version is too old
  bool streamError = false;  // an ERROR event or a malformed record
  bool progress = false;     // at least one event or bookmark
  std::string problem;
  util::MonoTime start{};
  util::MonoTime lastRecord{};
};

void Informer::run() {
  LoopState state(util::Backoff(options_.backoff, options_.random));
  while (!cancel_.cancelled()) {
    if (state.needList) {
      const bool listed = list(state);
      if (cancel_.cancelled()) break;
      if (!listed) {
        if (!pause(state)) break;
        continue;
      }
    }
    WatchOutcome outcome = watch(state);
    if (cancel_.cancelled()) break;
    if (outcome.progress) state.backoff.reset();
    if (!afterWatch(outcome, state)) break;
  }
}

bool Informer::pause(LoopState& state) {
  return options_.sleeper(state.backoff.next(), cancel_);
}

bool Informer::list(LoopState& state) {
  auto log = util::getLogger("k8s");
  if (options_.metrics) options_.metrics->informerRelist(options_.name, state.listReason);
  auto list = client_.listAll(options_.type, options_.ns,
                              {.labelSelector = options_.labelSelector,
                               .fieldSelector = options_.fieldSelector,
                               .limit = options_.pageSize,
                               .call = {.cancel = &cancel_},
                               .transform = options_.transform});
  if (cancel_.cancelled()) return false;
  if (!list) {
    util::logWith(*log, spdlog::level::warn, "informer list failed; retrying",
                  {{"informer", options_.name}, {"error", list.error().describe()}});
    return false;
  }
  state.rv = list->resourceVersion;
  setResumeVersion(state.rv);
  util::logWith(*log, spdlog::level::debug, "informer listed",
                {{"informer", options_.name},
                 {"items", static_cast<int64_t>(list->items.size())},
                 {"resourceVersion", state.rv}});
  postReplace(std::move(list->items));
  state.needList = false;
  state.progressSinceList = false;
  state.backoff.reset();
  return true;
}

Informer::WatchOutcome Informer::watch(LoopState& state) {
  WatchOutcome out;
  out.start = options_.clock->now();
  out.lastRecord = out.start;
  out.watched = client_.watch(options_.type, options_.ns,
                              {.resourceVersion = state.rv,
                               .timeoutSeconds = options_.watchTimeoutSeconds,
                               .allowBookmarks = true,
                               .labelSelector = options_.labelSelector,
                               .fieldSelector = options_.fieldSelector,
                               .idleTimeout = options_.watchIdleTimeout,
                               .cancel = &cancel_},
                              [&](WatchEvent&& ev) { return record(std::move(ev), state, out); });
  if (!out.watched && out.watched.error().isGone()) out.gone = true;
  return out;
}

bool Informer::record(WatchEvent&& ev, LoopState& state, WatchOutcome& out) {
  K8sMetrics* metrics = options_.metrics;
  out.lastRecord = options_.clock->now();
  if (metrics) metrics->informerEvent(options_.name, toString(ev.type));
  if (ev.type == WatchEventType::kError) {
    const Json& st = ev.object;
    const int code =
        st.contains("code") && st["code"].is_number_integer() ? st["code"].get<int>() : 0;
    const std::string reason =
        st.contains("reason") && st["reason"].is_string() ? st["reason"].get<std::string>() : "";
    if (code == 410 || reason == "Expired" || reason == "Gone") {
      out.gone = true;
    } else {
      out.streamError = true;
      out.problem = "ERROR event: " + st.dump();
    }
    return false;
  }
  std::string eventRv = resourceVersionOf(ev.object);
  if (ev.type == WatchEventType::kMalformed ||
      (eventRv.empty() || (ev.type != WatchEventType::kBookmark && nameOf(ev.object).empty()))) {
    if (metrics) metrics->informerMalformed(options_.name);
    out.streamError = true;
    out.problem = ev.type == WatchEventType::kMalformed
                      ? ev.error
                      : std::string("event without metadata.name/resourceVersion");
    return false;
  }
  state.rv = std::move(eventRv);
  setResumeVersion(state.rv);
  out.progress = true;
  state.progressSinceList = true;
  if (ev.type != WatchEventType::kBookmark) postEvent(std::move(ev));
  return true;
}

bool Informer::afterWatch(const WatchOutcome& out, LoopState& state) {
  auto log = util::getLogger("k8s");
  const std::string& name = options_.name;
  K8sMetrics* metrics = options_.metrics;
  if (out.gone) {
    util::logWith(*log, spdlog::level::info,
                  "informer resourceVersion expired (410 Gone); relisting",
                  {{"informer", name}, {"resourceVersion", state.rv}});
    // Relist at once; but if relists keep ending in 410 without a single event in between,
    // something is wrong (clock-skewed etcd, a proxy caching old versions): back off.
    state.goneWithoutProgress = state.progressSinceList ? 0 : state.goneWithoutProgress + 1;
    if (state.goneWithoutProgress >= 2 && !pause(state)) return false;
    state.needList = true;
    state.listReason = "gone";
    return true;
  }
  // A transport failure after the idle bound passed in silence is that bound firing: the
  // connection is presumed dead (docs/kubernetes-client.md, "Re-watch bound"). Re-watch at
  // once from the same version; a path that is still down then fails to connect and backs
  // off as usual.
  const util::Duration silent = options_.clock->now() - out.lastRecord;
  if (!out.watched && out.watched.error().isTransport() &&
      options_.watchIdleTimeout > util::Duration::zero() &&
      silent + std::chrono::milliseconds(500) >= options_.watchIdleTimeout) {
    if (metrics) metrics->informerWatchError(name);
    util::logWith(
        *log, spdlog::level::info, "informer watch silent past the idle bound; re-watching",
        {{"informer", name},
         {"resourceVersion", state.rv},
         {"silentSeconds",
          static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(silent).count())},
         {"error", out.watched.error().describe()}});
    return true;
  }
  if (!out.watched || out.streamError) {
    if (metrics) metrics->informerWatchError(name);
    util::logWith(*log, spdlog::level::warn, "informer watch failed; re-watching",
                  {{"informer", name},
                   {"resourceVersion", state.rv},
                   {"error", out.watched ? out.problem : out.watched.error().describe()}});
    return pause(state);
  }
  // The server closed the stream (normally at its timeout): carry on from where we are. A
  // stream that ends at once with nothing in it is a misbehaving server or proxy, not a
  // timeout; back off rather than spin.
  if (!out.progress && options_.clock->now() - out.start < std::chrono::seconds(1)) {
    return pause(state);
  }
  return true;
}

}  // namespace ironlb::k8s
