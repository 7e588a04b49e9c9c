#pragma once
// BgpMetrics: BGP mode's metrics, with MetalLB's names and labels where MetalLB has them, so
// dashboards and alerts written for MetalLB's FRR mode keep working (docs/bgp.md, metrics.md):
//   metallb_bgp_session_up{peer="<address>:<port>",vrf}         1 established, 0 not
//   metallb_bgp_announced_prefixes_total{peer,vrf}              prefixes sent on the session
//   metallb_bgp_updates_total{peer,vrf}                         UPDATEs sent (and the other
//   message counters: opens_sent, opens_received, notifications_sent, updates_total_received,
//   keepalives_sent, keepalives_received, route_refresh_sent, total_sent, total_received)
//   metallb_bfd_session_up{peer="<address>",vrf}                1 up, 0 not
// and ironlb's own, as for layer 2:
//   ironlb_speaker_bgp_unannounced{service,ip,reason}           1 per LB IP this node does not
//                                                               announce over BGP, with why
// Sessions, BFD peers and IPs that disappear lose their series.

#include <set>
#include <string>
#include <vector>

#include "common/util/metrics.h"
#include "speaker/bgp/bgp_plan.h"
#include "speaker/bgp/frr_state.h"

namespace ironlb::bgp {

// One BGP session as the metrics label it.
struct SessionSample {
  std::string peer;  // "<address>:<port>" (or "<interface>:<port>")
  std::string vrf;   // "default" for the default VRF
  BgpSessionState state;
};

struct BfdSample {
  std::string peer;  // the address
  std::string vrf;
  bool up = false;
};

class BgpMetrics {
 public:
  explicit BgpMetrics(util::MetricsRegistry& registry);

  void setSessions(const std::vector<SessionSample>& sessions);
  void setBfd(const std::vector<BfdSample>& sessions);
  // The node's verdicts: every IP not announced gets its reason; announced ones none.
  void setVerdicts(const std::vector<IpVerdict>& verdicts);

 private:
  util::GaugeFamily& sessionUp_;
  util::GaugeFamily& prefixes_;
  std::vector<std::pair<util::CounterFamily*, int64_t BgpSessionState::*>> counters_;
  util::GaugeFamily& bfdUp_;
  util::GaugeFamily& unannounced_;
  std::set<util::LabelValues> sessionLabels_;
  std::set<util::LabelValues> bfdLabels_;
  std::set<util::LabelValues> unannouncedLabels_;
};

}  // namespace ironlb::bgp
