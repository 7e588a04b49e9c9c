// EventRecorder: queue + background writer.
#include "common/k8s/event_recorder.h"

#include <cstdio>

#include "common/k8s/k8s_metrics.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"
#include "common/util/rfc3339.h"

namespace ironlb::k8s {
namespace {

constexpr const char* kClusterScopedEventNamespace = "default";

std::string eventNamespace(const ObjectReference& o) {
  return o.ns.empty() ? kClusterScopedEventNamespace : o.ns;
}

// The ironlb_k8s_events_dropped_total reason for an event a limit refused.
const char* limitReason(const EventAggregator::Decision& d) {
  if (d.kind == EventAggregator::Decision::Kind::kDeferRepeat) return "repeat_deferred";
  return d.limit == EventAggregator::Decision::Limit::kGlobal ? "global_rate_limit"
                                                              : "object_rate_limit";
}

}  // namespace

ObjectReference referenceTo(const ResourceType& type, const Json& object) {
  return ObjectReference{type.apiVersion(), type.kind,     namespaceOf(object),
                         nameOf(object),    uidOf(object), resourceVersionOf(object)};
}

EventRecorder::EventRecorder(ApiClient& client, EventRecorderOptions options)
    : client_(client), options_(std::move(options)), aggregator_(options_.aggregation) {
  if (!options_.clock) options_.clock = &util::SystemClock::instance();
}

EventRecorder::~EventRecorder() {
  stop();
}

void EventRecorder::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void EventRecorder::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
    cv_.notify_all();
  }
  cancel_.cancel();
  if (options_.yieldTo) options_.yieldTo->wake();
  if (thread_.joinable()) thread_.join();
}

void EventRecorder::record(const ObjectReference& object, EventType type, std::string reason,
                           std::string message) {
  EventRecord r{object,
                type,
                std::move(reason),
                std::move(message),
                options_.clock->now(),
                options_.clock->wallNow()};
  std::lock_guard lock(mu_);
  if (stopping_) return;
  if (queue_.size() >= options_.maxQueue) {
    if (options_.metrics) options_.metrics->eventDropped("queue_full");
    return;
  }
  queue_.push_back(std::move(r));
  cv_.notify_all();
}

bool EventRecorder::flush(util::Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return stopping_ || (queue_.empty() && !busy_); });
}

void EventRecorder::run() {
  for (;;) {
    EventRecord r;
    {
      std::unique_lock lock(mu_);
      busy_ = false;
      cv_.notify_all();
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      r = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    if (options_.yieldTo) {
      options_.yieldTo->waitIdle(options_.maxYield, [this] { return cancel_.cancelled(); });
      if (cancel_.cancelled()) continue;  // stopping: the next turn returns
    }
    process(r);
  }
}

Json EventRecorder::buildEvent(const EventRecord& r, const std::string& name) const {
  const ObjectReference& o = r.object;
  Json involved = {{"apiVersion", o.apiVersion}, {"kind", o.kind}, {"name", o.name}};
  if (!o.ns.empty()) involved["namespace"] = o.ns;
  if (!o.uid.empty()) involved["uid"] = o.uid;
  if (!o.resourceVersion.empty()) involved["resourceVersion"] = o.resourceVersion;
  const std::string ts = util::formatRfc3339(r.wall, util::Rfc3339Fraction::kSeconds);
  Json source = {{"component", options_.component}};
  if (!options_.host.empty()) source["host"] = options_.host;
  return Json{{"apiVersion", "v1"},
              {"kind", "Event"},
              {"metadata", {{"name", name}, {"namespace", eventNamespace(o)}}},
              {"involvedObject", involved},
              {"reason", r.reason},
              {"message", r.message},
              {"type", toString(r.type)},
              {"source", source},
              {"firstTimestamp", ts},
              {"lastTimestamp", ts},
              {"count", 1},
              {"reportingComponent", options_.component},
              {"reportingInstance", options_.host}};
}

void EventRecorder::process(const EventRecord& r) {
  auto log = util::getLogger("k8s");
  const auto decision = aggregator_.decide(r);
  const std::string ns = eventNamespace(r.object);
  const CallOptions call{.timeout = std::chrono::seconds(10), .cancel = &cancel_};
  auto drop = [&](const char* reason, const std::string& detail) {
    if (options_.metrics) options_.metrics->eventDropped(reason);
    util::logWith(*log, spdlog::level::debug, "event not written",
                  {{"reason", r.reason}, {"object", r.object.name}, {"why", detail}});
  };
  auto create = [&]() {
    // client-go's naming: <object>.<hex nanoseconds>, unique enough and sortable.
    char suffix[32];
    std::snprintf(
        suffix, sizeof suffix, ".%llx",
        static_cast<unsigned long long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(r.wall.time_since_epoch())
                .count()));
    const std::string name = r.object.name + suffix;
    auto res = client_.create(resources::kEvents, ns, buildEvent(r, name), call);
    if (res) {
      aggregator_.created(r, name);
    } else {
      aggregator_.forget(r);
      drop("error", res.error().describe());
    }
  };
  switch (decision.kind) {
    case EventAggregator::Decision::Kind::kCreate:
      create();
      break;
    case EventAggregator::Decision::Kind::kPatch: {
      const Json patch = {
          {"count", decision.count},
          {"lastTimestamp", util::formatRfc3339(r.wall, util::Rfc3339Fraction::kSeconds)},
          {"message", r.message}};
      auto res = client_.patch(resources::kEvents, ns, decision.eventName, PatchType::kMerge, patch,
                               "", call);
      if (!res && res.error().isNotFound()) {
        // Events expire (the API server's event TTL): start a new one.
        aggregator_.forget(r);
        if (const auto again = aggregator_.decide(r);
            again.kind == EventAggregator::Decision::Kind::kCreate) {
          create();
        } else {
          drop(limitReason(again), "event expired and rate limit exhausted");
        }
      } else if (!res) {
        drop("error", res.error().describe());
      }
      break;
    }
    case EventAggregator::Decision::Kind::kDeferRepeat:
      drop(limitReason(decision), "repeat counted, write deferred");
      break;
    case EventAggregator::Decision::Kind::kDropNew:
      drop(limitReason(decision), "rate limit exhausted");
      break;
  }
}

}  // namespace ironlb::k8s
