#pragma once
// SpeakerMetrics: every metric the speaker exports (MetalLB's names first, ours with the
// ironlb_ prefix). Counters kept elsewhere (the packet path's CounterStore, membership's
// Counters) are mirrored into the registry by sync() once a second on the logic thread, so the
// packet path never touches a mutex or a label map.
//
//   metallb_layer2_requests_received{ip}         ARP requests / NS for an owned IP
//   metallb_layer2_responses_sent{ip}            replies sent
//   metallb_layer2_gratuitous_sent{ip}           gratuitous ARP / unsolicited NA sent
//   metallb_speaker_announced{service,protocol,node,ip}  1 while this node announces
//   ironlb_speaker_ip_owner{ip,node}             1: the owner this speaker computes for each LB IP
//   ironlb_speaker_ip_unannounced{ip,reason}     1: an LB IP nobody announces, and why
//   ironlb_speaker_announce_failed{ip,interface,reason}  1: we won but cannot announce there
//   ironlb_speaker_withdrawn                     1 while this node withdrew its candidacy
//   ironlb_speaker_duplicate_owner_seen_total{ip}    frames where another MAC claimed our IP
//   ironlb_speaker_duplicate_owner_yields_total{ip}  IPs given up by the MAC tie-break
//   ironlb_speaker_duplicate_owner_foreign_total{ip,mac}  windows in which a MAC that is no
//                                                speaker's claimed our IP (never yielded to)
//   ironlb_speaker_kernel_answers_arp{ip,interface}  1: our own kernel answers for a VIP
//   ironlb_speaker_membership_members / _live_members / _synced
//   ironlb_speaker_membership_messages_sent_total{type} / _received_total{type}
//   ironlb_speaker_membership_rejected_total{reason}
//   ironlb_speaker_membership_events_total{event}   suspicions, deaths_declared, deaths_learned,
//                                                   refutations, isolations, stalls, syncs,
//                                                   future_claims, foreign_leaves, unmatched_acks,
//                                                   stale_verdicts, sealed_sent, sealed_received
//   ironlb_speaker_election_ips_decided_total / _winners_reelected_total / _scores_computed_total

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/util/metrics.h"
#include "speaker/announcer/counters.h"
#include "speaker/control/planner.h"
#include "speaker/membership/counters.h"

namespace ironlb::speaker {

class SpeakerMetrics {
 public:
  explicit SpeakerMetrics(util::MetricsRegistry& registry);

  void syncLayer2(const announcer::CounterStore& counters);
  void syncMembership(const membership::Counters& counters, std::size_t members, std::size_t live,
                      bool synced);
  void syncPlanner(const control::PlannerStats& stats);

  util::GaugeFamily& announced() { return announced_; }
  util::GaugeFamily& ipOwner() { return ipOwner_; }
  util::GaugeFamily& ipUnannounced() { return ipUnannounced_; }
  util::GaugeFamily& announceFailed() { return announceFailed_; }
  util::Gauge& withdrawn() { return withdrawn_; }
  util::CounterFamily& duplicateYields() { return duplicateYields_; }
  util::CounterFamily& duplicateForeign() { return duplicateForeign_; }
  util::GaugeFamily& kernelAnswers() { return kernelAnswers_; }

 private:
  // Adds the growth of an externally kept monotonic count.
  void mirror(util::CounterFamily& family, const util::LabelValues& labels, double value);

  util::CounterFamily& requests_;
  util::CounterFamily& responses_;
  util::CounterFamily& gratuitous_;
  util::CounterFamily& duplicates_;
  util::GaugeFamily& announced_;
  util::GaugeFamily& ipOwner_;
  util::GaugeFamily& ipUnannounced_;
  util::GaugeFamily& announceFailed_;
  util::Gauge& withdrawn_;
  util::CounterFamily& duplicateYields_;
  util::CounterFamily& duplicateForeign_;
  util::GaugeFamily& kernelAnswers_;
  util::Gauge& members_;
  util::Gauge& liveMembers_;
  util::Gauge& membershipSynced_;
  util::CounterFamily& sent_;
  util::CounterFamily& received_;
  util::CounterFamily& rejected_;
  util::CounterFamily& membershipEvents_;
  util::Counter& ipsDecided_;
  util::Counter& winnersReelected_;
  util::Counter& scoresComputed_;
  std::map<std::pair<const void*, util::LabelValues>, double> last_;
};

}  // namespace ironlb::speaker
