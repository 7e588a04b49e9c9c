#pragma once
// Speaker: the ironlb-speaker daemon's logic, wired on one io_context (ARCHITECTURE: one logic
// thread; informers, the event recorder, the status writer and the health server on their own
// threads post into it).
//
//   informers ──> ClusterCache ──> Planner <── UdpMembership (live set)
//                                     │
//          links ──> withdrawal       ├──> Dataplane.setDesired (minus yielded IPs)
//                                     └──> Reporter: logs, metrics, Events, ServiceL2Status
//
// What happens when (README.md beside this file has the whole story):
//  - nothing is announced before every informer listed, the configuration is valid and
//    membership finished its start-up join;
//  - a Service / EndpointSlice event re-plans that Service only; pools, advertisements,
//    namespaces and Node labels/conditions rebuild the configuration (coalesced per loop turn);
//    Node InternalIPs feed the member list;
//  - a live-set change re-elects only the IPs it can move, and the data plane acts in the same
//    loop turn (the failover path: membership notice -> planner -> gratuitous ARP);
//  - the API server going away changes nothing above: the caches keep the last state,
//    membership is independent, writes (ServiceL2Status, Events) wait and retry;
//  - stop(): membership leave() (peers take over at once), release every IP, delete our
//    ServiceL2Status objects (bounded by a deadline), then done.

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/configuration_state_writer.h"
#include "common/k8s/event_recorder.h"
#include "common/k8s/informer.h"
#include "common/k8s/k8s_metrics.h"
#include "common/lbconfig/issue_tracker.h"
#include "common/util/clock.h"
#include "common/util/health_server.h"
#include "common/util/metrics.h"
#include "speaker/control/duplicate_arbiter.h"
#include "speaker/control/kernel_arp_check.h"
#include "speaker/control/key_rotation.h"
#include "speaker/control/planner.h"
#include "speaker/control/withdrawal.h"
#include "speaker/daemon/bgp_mode.h"
#include "speaker/daemon/cluster_cache.h"
#include "speaker/daemon/link_tee.h"
#include "speaker/daemon/reporter.h"
#include "speaker/daemon/speaker_metrics.h"
#include "speaker/daemon/status_sync.h"
#include "speaker/io/dataplane.h"
#include "speaker/membership/udp_membership.h"

namespace ironlb::speaker {

struct SpeakerOptions {
  std::string nodeName;
  std::string podName, podUid;  // owner of our ServiceL2Status objects; empty: none
  std::string ns = "metallb-system";
  std::string lbClass;  // the loadBalancerClass handled; "" = none (api::handlesClass)
  bool ignoreExcludeLb = false;
  std::vector<std::string> excludePatterns = announcer::defaultExcludePatterns();
  membership::Endpoint memberEndpoint;
  std::vector<uint8_t> key;
  std::string keyFile;  // re-read every keyCheckInterval for rotation; empty: fixed key
  announcer::AnnouncerConfig announcer;
  membership::Timers timers;
  bool requireSealed = false;  // refuse version-1 membership packets (docs/membership.md)
  std::chrono::seconds keyGrace{120};
  std::chrono::milliseconds metricsInterval{1000};
  std::chrono::seconds hostCheckInterval{10};
  std::chrono::milliseconds keyCheckInterval{10000};
  std::chrono::seconds stopDeadline{3};  // ServiceL2Status cleanup on a graceful stop
  // BGP mode (docs/bgp.md): FRR's control socket directory; empty = layer 2 only.
  std::string frrSocketDir;
  // Told the verdict of every configuration build (this node's ConfigurationState,
  // docs/custom-resources.md); must outlive the Speaker. nullptr: none.
  k8s::ConfigurationStateReporter* configState = nullptr;
};

class Speaker {
 public:
  // Every time reading goes through `clock` (timers wait the durations it gives).
  static Result<std::unique_ptr<Speaker>> create(boost::asio::io_context& io,
                                                 const util::Clock& clock, k8s::ApiClient& api,
                                                 k8s::K8sMetrics& k8sMetrics,
                                                 util::MetricsRegistry& registry,
                                                 io::PacketIo& packets, io::LinkWatcher& links,
                                                 SpeakerOptions options);
  ~Speaker();
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;

  Status start();
  // Graceful stop; `done` runs on the loop once the node has left and released everything.
  void stop(std::function<void()> done);
  // Thread-safe (the health server calls it).
  util::HealthState readiness() const { return ready_.get(); }

 private:
  Speaker(boost::asio::io_context& io, const util::Clock& clock, k8s::ApiClient& api,
          k8s::K8sMetrics& k8sMetrics, util::MetricsRegistry& registry, io::LinkWatcher& links,
          SpeakerOptions options, announcer::InterfaceFilter filter);

  // Inputs.
  void makeInformers();
  std::unique_ptr<k8s::Informer> makeStatusInformer(StatusSync& sync);
  void onServiceObject(const k8s::Json& object, bool deleted);
  void onSliceObject(const k8s::Json& object, bool deleted);
  void onNodeObject(const k8s::Json& object, bool deleted);
  void onConfigObject(const k8s::ResourceType& type, const k8s::Json& object, bool deleted);
  void onLinks(const std::vector<announcer::Link>& links);
  void onLive(const std::vector<std::string>& live);
  void onMembershipEvent(const membership::Event& event);
  void onDuplicate(const io::DuplicateOwnerEvent& event);

  // Processing.
  void scheduleFlush();
  void flush();
  bool informersSynced() const;
  void rebuildConfig(std::vector<control::Change>& changes);
  Status updateMembers();
  void apply(const std::vector<control::Change>& changes);
  void pushDesired();
  void reportDataplane();
  void judgeWithdrawal();
  void judgeMemberLink();
  void checkKernel();
  void checkKey();
  void armYieldTimer();
  void pushLocalMacs();
  void syncMetrics();
  void updateReadiness();
  void release(std::function<void()> done);
  void serviceEvent(const ReportEvent& event);
  // BGP mode.
  void makeBgp(util::MetricsRegistry& registry);
  void pushBgpServices();
  void bgpSessionEvent(const bgp::SessionEvent& event);

  boost::asio::io_context& io_;
  const util::Clock& clock_;
  k8s::ApiClient& api_;
  k8s::K8sMetrics& k8sMetrics_;
  SpeakerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  announcer::InterfaceFilter filter_;
  SpeakerMetrics metrics_;
  LinkTee links_;
  std::unique_ptr<io::Dataplane> dataplane_;
  ClusterCache cache_;
  control::Planner planner_;
  control::DuplicateArbiter arbiter_;
  std::optional<control::KeyRotation> rotation_;
  std::unique_ptr<membership::UdpMembership> membership_;
  k8s::EventRecorder events_;
  StatusSync status_;
  Reporter reporter_;
  std::vector<std::unique_ptr<k8s::Informer>> informers_;
  k8s::Informer* services_ = nullptr;
  k8s::Informer* nodes_ = nullptr;
  std::unique_ptr<k8s::Informer> l2status_;
  k8s::Informer* bgpPeers_ = nullptr;
  // BGP mode (null when off): the FRR side, its ServiceBGPStatus objects and their informer.
  std::unique_ptr<BgpMode> bgp_;
  std::unique_ptr<StatusSync> bgpStatus_;
  std::unique_ptr<k8s::Informer> bgpStatusInformer_;
  bool bgpServicesDirty_ = true;
  bool bgpOffWarned_ = false;
  util::ReadinessFlag ready_;

  std::set<std::string> dirtyServices_;
  bool configDirty_ = true;
  bool membersDirty_ = true;
  bool flushPosted_ = false;
  bool configLoaded_ = false;
  bool membershipSynced_ = false;
  bool stopping_ = false;
  lbconfig::ConfigIssueTracker configIssues_;  // each finding logged once per change
  std::string lastMemberReport_;
  std::set<std::string> badIpsLogged_;
  std::vector<announcer::Link> linkState_;
  control::WithdrawalVerdict withdrawal_;
  control::MemberLink memberLink_;  // the link membership traffic uses (carrier)
  announcer::Desired applied_;
  std::set<net::IpAddress> planned_;  // IPs the planner gave this node last time (see pushDesired)
  std::set<std::string> returning_;   // members back from dead (partition heal)
  std::set<control::KernelAnswer> kernelAnswers_;
  // (ip, mac) label sets of the foreign-claimant metric: bounded, the rest count as mac="other".
  std::set<std::pair<std::string, std::string>> foreignLabels_;
  std::size_t vipCount_ = 0;

  boost::asio::steady_timer metricsTimer_;
  boost::asio::steady_timer hostTimer_;
  boost::asio::steady_timer keyTimer_;
  boost::asio::steady_timer yieldTimer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ironlb::speaker
