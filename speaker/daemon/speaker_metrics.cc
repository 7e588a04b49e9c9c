// SpeakerMetrics: registration and the once-a-second mirroring of external counters.
#include "speaker/daemon/speaker_metrics.h"

namespace ironlb::speaker {

SpeakerMetrics::SpeakerMetrics(util::MetricsRegistry& r)
    : requests_(r.counter("metallb_layer2_requests_received",
                          "Number of layer2 requests received for owned IPs", {"ip"})),
      responses_(r.counter("metallb_layer2_responses_sent",
                           "Number of layer2 responses sent for owned IPs", {"ip"})),
      gratuitous_(r.counter("metallb_layer2_gratuitous_sent",
                            "Number of gratuitous layer2 packets sent for owned IPs", {"ip"})),
      duplicates_(r.counter("ironlb_speaker_duplicate_owner_seen_total",
                            "Frames in which another MAC claimed an IP this node announces",
                            {"ip"})),
      announced_(r.gauge("metallb_speaker_announced",
                         "Services being announced from this node. This is desired state, it "
                         "does not guarantee that the routing protocols have converged.",
                         {"service", "protocol", "node", "ip"})),
      ipOwner_(r.gauge("ironlb_speaker_ip_owner",
                       "1 for the node this speaker computes as the owner of each LB IP",
                       {"ip", "node"})),
      ipUnannounced_(r.gauge("ironlb_speaker_ip_unannounced",
                             "1 for each LB IP nobody announces, labelled with the reason",
                             {"ip", "reason"})),
      announceFailed_(r.gauge("ironlb_speaker_announce_failed",
                              "1 where this node owns an IP but cannot announce it on an "
                              "interface (missing or ineligible)",
                              {"ip", "interface", "reason"})),
      withdrawn_(r.gauge("ironlb_speaker_withdrawn",
                         "1 while this node withdrew its candidacy (no usable interface)")
                     .get()),
      duplicateYields_(r.counter("ironlb_speaker_duplicate_owner_yields_total",
                                 "IPs this node stopped answering because another owner with "
                                 "a lower MAC kept claiming them",
                                 {"ip"})),
      duplicateForeign_(r.counter("ironlb_speaker_duplicate_owner_foreign_total",
                                  "Windows in which a MAC that is not a speaker's (not learnt "
                                  "over membership) claimed an IP this node announces; the node "
                                  "keeps answering (docs/duplicate-owner.md)",
                                  {"ip", "mac"})),
      kernelAnswers_(r.gauge("ironlb_speaker_kernel_answers_arp",
                             "1 where this node's own kernel answers ARP/NDP for an LB IP "
                             "(kube-proxy IPVS without strictARP)",
                             {"ip", "interface"})),
      members_(r.gauge("ironlb_speaker_membership_members", "Expected speakers (Nodes)").get()),
      liveMembers_(
          r.gauge("ironlb_speaker_membership_live_members", "Speakers alive and candidates").get()),
      membershipSynced_(
          r.gauge("ironlb_speaker_membership_synced", "1 once the start-up join completed").get()),
      sent_(r.counter("ironlb_speaker_membership_messages_sent_total",
                      "Membership messages sent, by type", {"type"})),
      received_(r.counter("ironlb_speaker_membership_messages_received_total",
                          "Membership messages accepted, by type", {"type"})),
      rejected_(r.counter("ironlb_speaker_membership_rejected_total",
                          "Membership messages rejected, by reason", {"reason"})),
      membershipEvents_(r.counter("ironlb_speaker_membership_events_total",
                                  "Membership protocol events", {"event"})),
      ipsDecided_(
          r.counter("ironlb_speaker_election_ips_decided_total", "Full per-IP decisions computed")
              .get()),
      winnersReelected_(r.counter("ironlb_speaker_election_winners_reelected_total",
                                  "Re-elections because an IP's owner left")
                            .get()),
      scoresComputed_(r.counter("ironlb_speaker_election_scores_computed_total",
                                "SHA-256 scores computed on live-set changes")
                          .get()) {}

void SpeakerMetrics::mirror(util::CounterFamily& family, const util::LabelValues& labels,
                            double value) {
  double& last = last_[{&family, labels}];
  if (value > last) family.withLabels(labels).inc(value - last);
  last = value;
}

void SpeakerMetrics::syncLayer2(const announcer::CounterStore& counters) {
  std::map<net::IpAddress, announcer::IpCounters> byIp;
  for (const auto& [key, c] : counters.byInterfaceIp) {
    auto& sum = byIp[key.second];
    sum.requestsReceived += c.requestsReceived;
    sum.responsesSent += c.responsesSent;
    sum.gratuitousSent += c.gratuitousSent;
    sum.duplicateOwnerSeen += c.duplicateOwnerSeen;
  }
  for (const auto& [ip, c] : byIp) {
    const util::LabelValues labels{ip.toString()};
    mirror(requests_, labels, static_cast<double>(c.requestsReceived));
    mirror(responses_, labels, static_cast<double>(c.responsesSent));
    mirror(gratuitous_, labels, static_cast<double>(c.gratuitousSent));
    if (c.duplicateOwnerSeen)
      mirror(duplicates_, labels, static_cast<double>(c.duplicateOwnerSeen));
  }
}

void SpeakerMetrics::syncMembership(const membership::Counters& c, std::size_t members,
                                    std::size_t live, bool synced) {
  members_.set(static_cast<double>(members));
  liveMembers_.set(static_cast<double>(live));
  membershipSynced_.set(synced ? 1 : 0);
  for (uint8_t t = 1; t < membership::kMessageTypeSlots; ++t) {
    const util::LabelValues labels{
        std::string(membership::messageTypeName(static_cast<membership::MessageType>(t)))};
    mirror(sent_, labels, static_cast<double>(c.sent[t]));
    mirror(received_, labels, static_cast<double>(c.received[t]));
  }
  for (std::size_t r = 0; r < membership::kRejectReasonCount; ++r) {
    mirror(rejected_,
           {std::string(membership::rejectReasonName(static_cast<membership::RejectReason>(r)))},
           static_cast<double>(c.rejected[r]));
  }
  const std::pair<const char*, uint64_t> events[] = {{"suspicions", c.suspicions},
                                                     {"deaths_declared", c.deathsDeclared},
                                                     {"deaths_learned", c.deathsLearned},
                                                     {"leaves_learned", c.leavesLearned},
                                                     {"refutations", c.refutations},
                                                     {"isolations", c.isolations},
                                                     {"stalls", c.stalls},
                                                     {"syncs_started", c.syncsStarted},
                                                     {"indirect_requests", c.indirectRequests},
                                                     {"future_claims", c.futureClaims},
                                                     {"foreign_leaves", c.foreignLeaves},
                                                     {"unmatched_acks", c.unmatchedAcks},
                                                     {"stale_verdicts", c.staleVerdicts},
                                                     {"sealed_sent", c.sealedSent},
                                                     {"sealed_received", c.sealedReceived}};
  for (const auto& [name, value] : events)
    mirror(membershipEvents_, {name}, static_cast<double>(value));
}

void SpeakerMetrics::syncPlanner(const control::PlannerStats& s) {
  auto bump = [](util::Counter& counter, uint64_t value) {
    if (static_cast<double>(value) > counter.value())
      counter.inc(static_cast<double>(value) - counter.value());
  };
  bump(ipsDecided_, s.ipsDecided);
  bump(winnersReelected_, s.winnersReelected);
  bump(scoresComputed_, s.scoresComputed);
}

}  // namespace ironlb::speaker
