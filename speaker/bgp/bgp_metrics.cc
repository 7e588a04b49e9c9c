#include "speaker/bgp/bgp_metrics.h"

namespace ironlb::bgp {
namespace {

const std::vector<std::string> kPeerLabels = {"peer", "vrf"};

// Drops the series of `family` whose labels were set last time but not this time.
template <class FamilyT>
void dropStale(FamilyT& family, const std::set<util::LabelValues>& before,
               const std::set<util::LabelValues>& now) {
  for (const util::LabelValues& labels : before) {
    if (now.count(labels) == 0) family.remove(labels);
  }
}

}  // namespace

BgpMetrics::BgpMetrics(util::MetricsRegistry& registry)
    : sessionUp_(registry.gauge("metallb_bgp_session_up", "BGP session state (1 is up, 0 is down)",
                                kPeerLabels)),
      prefixes_(registry.gauge("metallb_bgp_announced_prefixes_total",
                               "Number of prefixes currently being advertised on the BGP session",
                               kPeerLabels)),
      bfdUp_(registry.gauge("metallb_bfd_session_up", "BFD session state (1 is up, 0 is down)",
                            kPeerLabels)),
      unannounced_(registry.gauge(
          "ironlb_speaker_bgp_unannounced",
          "1 for each LB IP this node does not announce over BGP, labelled with the reason",
          {"service", "ip", "reason"})) {
  const auto counter = [&](const char* name, const char* help, int64_t BgpSessionState::*field) {
    counters_.emplace_back(&registry.counter(name, help, kPeerLabels), field);
  };
  counter("metallb_bgp_opens_sent", "Number of BGP open messages sent",
          &BgpSessionState::opensSent);
  counter("metallb_bgp_opens_received", "Number of BGP open messages received",
          &BgpSessionState::opensReceived);
  counter("metallb_bgp_notifications_sent", "Number of BGP notification messages sent",
          &BgpSessionState::notificationsSent);
  counter("metallb_bgp_updates_total", "Number of BGP UPDATE messages sent",
          &BgpSessionState::updatesSent);
  counter("metallb_bgp_updates_total_received", "Number of BGP UPDATE messages received",
          &BgpSessionState::updatesReceived);
  counter("metallb_bgp_keepalives_sent", "Number of BGP keepalive messages sent",
          &BgpSessionState::keepalivesSent);
  counter("metallb_bgp_keepalives_received", "Number of BGP keepalive messages received",
          &BgpSessionState::keepalivesReceived);
  counter("metallb_bgp_route_refresh_sent", "Number of BGP route refresh messages sent",
          &BgpSessionState::routeRefreshSent);
  counter("metallb_bgp_total_sent", "Number of total BGP messages sent",
          &BgpSessionState::totalSent);
  counter("metallb_bgp_total_received", "Number of total BGP messages received",
          &BgpSessionState::totalReceived);
}

void BgpMetrics::setSessions(const std::vector<SessionSample>& sessions) {
  std::set<util::LabelValues> now;
  for (const SessionSample& s : sessions) {
    const util::LabelValues labels = {s.peer, s.vrf};
    now.insert(labels);
    sessionUp_.withLabels(labels).set(s.state.established ? 1 : 0);
    prefixes_.withLabels(labels).set(static_cast<double>(s.state.prefixesSent));
    for (const auto& [family, field] : counters_) {
      const auto total = static_cast<double>(s.state.*field);
      // FRR's counters start again at zero when bgpd restarts: start the series again too
      // (a reset Prometheus' rate() understands) instead of holding the old total.
      if (total < family->withLabels(labels).value()) family->remove(labels);
      family->withLabels(labels).setTotal(total);
    }
  }
  dropStale(sessionUp_, sessionLabels_, now);
  dropStale(prefixes_, sessionLabels_, now);
  for (const auto& [family, field] : counters_)
    dropStale(*family, sessionLabels_, now);
  sessionLabels_ = std::move(now);
}

void BgpMetrics::setBfd(const std::vector<BfdSample>& sessions) {
  std::set<util::LabelValues> now;
  for (const BfdSample& s : sessions) {
    const util::LabelValues labels = {s.peer, s.vrf};
    now.insert(labels);
    bfdUp_.withLabels(labels).set(s.up ? 1 : 0);
  }
  dropStale(bfdUp_, bfdLabels_, now);
  bfdLabels_ = std::move(now);
}

void BgpMetrics::setVerdicts(const std::vector<IpVerdict>& verdicts) {
  std::set<util::LabelValues> now;
  for (const IpVerdict& v : verdicts) {
    if (v.reason == Reason::kAnnounced) continue;
    const util::LabelValues labels = {v.service, v.ip.toString(),
                                      std::string(reasonName(v.reason))};
    now.insert(labels);
    unannounced_.withLabels(labels).set(1);
  }
  dropStale(unannounced_, unannouncedLabels_, now);
  unannouncedLabels_ = std::move(now);
}

}  // namespace ironlb::bgp
