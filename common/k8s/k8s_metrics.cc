// K8sMetrics registration.
#include "common/k8s/k8s_metrics.h"

namespace ironlb::k8s {

K8sMetrics::K8sMetrics(util::MetricsRegistry& r)
    : updates_(r.counter("metallb_k8s_client_updates_total",
                         "Number of k8s object updates that have been processed.")
                   .get()),
      updateErrors_(r.counter("metallb_k8s_client_update_errors_total",
                              "Number of k8s object updates that failed for some reason.")
                        .get()),
      configLoaded_(r.gauge("metallb_k8s_client_config_loaded_bool",
                            "1 if the MetalLB configuration was successfully loaded at least once.")
                        .get()),
      configStale_(r.gauge("metallb_k8s_client_config_stale_bool",
                           "1 if running on a stale configuration, because the latest config "
                           "failed to load.")
                       .get()),
      requests_(r.counter("ironlb_k8s_api_requests_total",
                          "Kubernetes API requests by verb and HTTP code (0 = no response).",
                          {"verb", "code"})),
      informerEvents_(r.counter("ironlb_k8s_informer_events_total",
                                "Watch events received by informers.", {"resource", "type"})),
      informerMalformed_(r.counter("ironlb_k8s_informer_malformed_events_total",
                                   "Watch stream records that could not be decoded.",
                                   {"resource"})),
      informerRelists_(r.counter("ironlb_k8s_informer_relists_total",
                                 "Full lists done by informers, by reason.",
                                 {"resource", "reason"})),
      informerWatchErrors_(r.counter("ironlb_k8s_informer_watch_errors_total",
                                     "Watch requests that failed or ended with an error.",
                                     {"resource"})),
      eventsDropped_(r.counter("ironlb_k8s_events_dropped_total",
                               "Kubernetes Events not written, by reason.", {"reason"})) {
  for (const char* reason :
       {"object_rate_limit", "global_rate_limit", "repeat_deferred", "queue_full", "error"}) {
    eventsDropped_.withLabels({reason});
  }
}

void K8sMetrics::countRequest(const std::string& verb, int code) {
  requests_.withLabels({verb, std::to_string(code)}).inc();
}
void K8sMetrics::informerEvent(const std::string& resource, const std::string& type) {
  informerEvents_.withLabels({resource, type}).inc();
}
void K8sMetrics::informerMalformed(const std::string& resource) {
  informerMalformed_.withLabels({resource}).inc();
}
void K8sMetrics::informerRelist(const std::string& resource, const std::string& reason) {
  informerRelists_.withLabels({resource, reason}).inc();
}
void K8sMetrics::informerWatchError(const std::string& resource) {
  informerWatchErrors_.withLabels({resource}).inc();
}
void K8sMetrics::eventDropped(const std::string& reason) {
  eventsDropped_.withLabels({reason}).inc();
}

}  // namespace ironlb::k8s
