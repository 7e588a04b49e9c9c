#pragma once
// K8sMetrics: the Kubernetes-client metrics both daemons expose, registered once per registry.
// MetalLB names (dashboards query them):
//   metallb_k8s_client_updates_total        object updates processed (the work queue counts one
//                                            per handled key)
//   metallb_k8s_client_update_errors_total  of those, the ones that failed (handler asked for a
//                                            retry)
//   metallb_k8s_client_config_loaded_bool   set by the daemon once its configuration loaded
//   metallb_k8s_client_config_stale_bool    set by the daemon while running on an old config
// ironlb's own (ironlb_ prefix):
//   ironlb_k8s_api_requests_total{verb,code}            every API call; code 0 = no response
//   ironlb_k8s_informer_events_total{resource,type}     watch events applied
//   ironlb_k8s_informer_malformed_events_total{resource}
//   ironlb_k8s_informer_relists_total{resource,reason}  reason: initial, gone, error
//   ironlb_k8s_informer_watch_errors_total{resource}
//   ironlb_k8s_events_dropped_total{reason}             Events not written; reason:
//       object_rate_limit  a new Event for an object over its limit (burst 25, then 1 per 5 min)
//       global_rate_limit  a new Event over the flood ceiling (burst 20,000, then 50/s)
//       repeat_deferred    a repeat over a limit: counted, written with the next repeat
//       queue_full         the recorder's queue (20,000) was full
//       error              the API refused the write
//     every reason is exported from the start (at 0), so rate() and alerts work at once.
// Safe to call from any thread (values are atomics; see util/metrics.h).

#include <string>

#include "common/util/metrics.h"

namespace ironlb::k8s {

class K8sMetrics {
 public:
  explicit K8sMetrics(util::MetricsRegistry& registry);

  util::Counter& updates() { return updates_; }
  util::Counter& updateErrors() { return updateErrors_; }
  util::Gauge& configLoaded() { return configLoaded_; }
  util::Gauge& configStale() { return configStale_; }

  void countRequest(const std::string& verb, int code);
  void informerEvent(const std::string& resource, const std::string& type);
  void informerMalformed(const std::string& resource);
  void informerRelist(const std::string& resource, const std::string& reason);
  void informerWatchError(const std::string& resource);
  void eventDropped(const std::string& reason);

 private:
  util::Counter& updates_;
  util::Counter& updateErrors_;
  util::Gauge& configLoaded_;
  util::Gauge& configStale_;
  util::CounterFamily& requests_;
  util::CounterFamily& informerEvents_;
  util::CounterFamily& informerMalformed_;
  util::CounterFamily& informerRelists_;
  util::CounterFamily& informerWatchErrors_;
  util::CounterFamily& eventsDropped_;
};

}  // namespace ironlb::k8s
