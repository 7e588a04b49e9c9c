#pragma once
// EventRecorder: writes core/v1 Events ("kubectl describe svc" shows them) without ever
// blocking the caller. record() queues; a background thread aggregates repeats, rate-limits per
// object with a global ceiling against floods (see event_aggregator.h) and talks to the API
// server, one request at a time. Events are best effort: a full queue, an exhausted limit or an
// API error drops the event, counts it in ironlb_k8s_events_dropped_total{reason} (queue_full,
// object_rate_limit, global_rate_limit, repeat_deferred, error) and logs at debug level.
//
// The queue holds up to `maxQueue` events (default 20,000, a few MiB at most): a burst of
// 10,000 new Services all wait for their IPAllocated Event instead of being dropped.
//
// With `yieldTo`, each write first waits (up to `maxYield`) until that signal shows no pending
// writes: the controller's status writes go first, and Events follow at full speed once they
// are done (while writes keep coming, one Event per `maxYield` still goes out).
//
//   EventRecorder events(api, {.component = "ironlb-controller", .host = nodeName});
//   events.start();
//   events.record(referenceTo(resources::kServices, svc), EventType::kNormal, "IPAllocated",
//                 "Assigned IP [\"192.0.2.10\"]");
//
// Events for cluster-scoped objects (Nodes) go to the "default" namespace, as kubectl expects.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "common/k8s/api_client.h"
#include "common/k8s/busy_signal.h"
#include "common/k8s/cancel_token.h"
#include "common/k8s/event_aggregator.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

class K8sMetrics;

// A reference to `object` (an API object as JSON) of `type`.
ObjectReference referenceTo(const ResourceType& type, const Json& object);

struct EventRecorderOptions {
  std::string component{};  // source.component / reportingComponent, e.g. "ironlb-controller"
  std::string host{};       // source.host / reportingInstance, e.g. the node or pod name
  EventAggregationOptions aggregation{};
  size_t maxQueue = 20000;
  const util::Clock* clock = nullptr;  // default: system clock
  K8sMetrics* metrics = nullptr;
  BusySignal* yieldTo = nullptr;  // writes that go first (not owned; must outlive the recorder)
  util::Duration maxYield = std::chrono::seconds(1);
};

class EventRecorder {
 public:
  EventRecorder(ApiClient& client, EventRecorderOptions options);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void start();
  // Abandons queued events and the request in flight; joins.
  void stop();

  // Any thread; never blocks on the network.
  void record(const ObjectReference& object, EventType type, std::string reason,
              std::string message);

  // Waits until everything recorded so far has been written or dropped (graceful shutdown,
  // tests). Returns false on timeout.
  bool flush(util::Duration timeout);

 private:
  void run();
  void process(const EventRecord& record);
  Json buildEvent(const EventRecord& record, const std::string& name) const;

  ApiClient& client_;
  EventRecorderOptions options_;
  EventAggregator aggregator_;  // recorder thread only
  CancelToken cancel_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<EventRecord> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ironlb::k8s
