#pragma once
// Reporter: tells operators what the election decided and what the data plane did with it —
// logs, metrics and Events — and derives the ServiceL2Status objects this node owes. No I/O of
// its own: Events go to an EventSink (the daemon's EventRecorder), metrics to SpeakerMetrics.
//
// Every output is driven by a transition, never by time, so a steady cluster causes no writes:
//  - per LB IP (all speakers): ironlb_speaker_ip_owner / ironlb_speaker_ip_unannounced and an
//    info log line when the owner or the reason changes;
//  - an IP nobody announces for a configuration reason (no L2Advertisement, no eligible node,
//    ...): one Warning `notAnnounced` Event per Service, from one speaker only — the live node
//    that would rank first for the IP — so N speakers do not write N Events;
//  - on the owner: Normal `nodeAssigned` when a Service becomes announced from this node,
//    Warning `announceFailed` when it won an IP it cannot announce on an interface the
//    advertisement asks for (MetalLB: nobody else announces then either), and
//    metallb_speaker_announced{service,protocol,node,ip}.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/k8s/event_aggregator.h"
#include "speaker/announcer/announcer.h"
#include "speaker/control/planner.h"
#include "speaker/control/status_plan.h"
#include "speaker/daemon/speaker_metrics.h"

namespace ironlb::speaker {

struct ReportEvent {
  std::string service;  // "namespace/name"
  k8s::EventType type = k8s::EventType::kNormal;
  std::string reason;
  std::string message;

  friend bool operator==(const ReportEvent&, const ReportEvent&) = default;
};

class Reporter {
 public:
  using EventSink = std::function<void(const ReportEvent&)>;
  using LogSink = std::function<void(bool warning, const std::string& message)>;

  Reporter(std::string node, SpeakerMetrics& metrics, EventSink events, LogSink log);

  // After the planner reported changes (the planner already holds the new state).
  void onChanges(const std::vector<control::Change>& changes, const control::Planner& planner);

  // After the data plane applied `applied` (what we win, minus yielded IPs): its announcements
  // and refusals. Returns the ServiceL2Status objects this node owes.
  control::AnnouncedServices onDataplane(const control::Planner& planner,
                                         const announcer::Desired& applied,
                                         const std::vector<announcer::Announcement>& announcements,
                                         const std::vector<announcer::Refusal>& refusals,
                                         const std::function<std::string(int)>& ifname);

 private:
  std::string node_;
  SpeakerMetrics& metrics_;
  EventSink events_;
  LogSink log_;
  std::map<std::pair<std::string, std::string>, bool> announcedMetric_;  // (service, ip)
  std::set<std::string> assigned_;                                       // services announced here
  std::set<std::tuple<std::string, std::string, std::string>> failed_;   // (ip, interface, why)
  std::map<std::string, std::string> unannounced_;                       // ip -> reason label
};

}  // namespace ironlb::speaker
