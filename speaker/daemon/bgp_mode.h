#pragma once
// BgpMode: the speaker's BGP side (docs/bgp.md), between the logic thread and FRR.
//
//   logic thread: setConfig / setServices ──> (coalesced) ──> BGP worker thread:
//     read the peers' password Secrets (GET by name) ──> BgpNode.step() ──> FRR's sockets
//   <── outputs posted back: ServiceBGPStatus wanted, session Events, problems
//
// Everything that talks to FRR or reads Secrets blocks, so it runs on a worker thread of its
// own: an FRR apply of thousands of prefixes never delays layer 2's failover path. The BgpNode
// lives on that thread only; the logic thread hands it inputs and gets outputs through
// posted tasks, one in flight at a time (inputs arriving meanwhile are merged, last wins).
//
// Graceful stop (stop()): every route is withdrawn while the sessions stay up, then the marker
// file `<socket dir>/ironlb-withdrawn` tells FRR's container it may stop (docs/bgp.md). A marker
// left from an earlier run is removed at start, so a speaker restarted alone does not let FRR
// stop early later.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/background_worker.h"
#include "common/lbconfig/config.h"
#include "common/util/clock.h"
#include "common/util/metrics.h"
#include "speaker/bgp/bgp_node.h"
#include "speaker/control/service_input.h"
#include "speaker/control/status_plan.h"

namespace ironlb::speaker {

inline constexpr const char* kWithdrawnMarker = "ironlb-withdrawn";

struct BgpModeOptions {
  std::string nodeName;
  std::string ns;         // where the password Secrets are read
  std::string socketDir;  // FRR's control sockets (the chart: /var/run/frr)
  // Secrets are read again this often while a session of this node that needs a password is
  // not up, or a Secret could not be read (so a fixed Secret is picked up quickly)...
  std::chrono::seconds passwordRefresh{10};
  // ...and this often once all are up (a router's key change drops the session, which brings
  // the short period back).
  std::chrono::seconds passwordRefreshSettled{60};
  bgp::BgpNodeOptions node{};
};

struct BgpModeOutputs {
  // Which Services this node announces to which peers (for ServiceBGPStatus).
  std::function<void(control::AnnouncedServices)> announced;
  std::function<void(const bgp::SessionEvent&)> session;
  // Problems (left-out peers, FRR refusing or away) when they change; empty = none.
  std::function<void(const std::vector<std::string>&)> problems;
};

class BgpMode {
 public:
  BgpMode(boost::asio::io_context& io, const util::Clock& clock, k8s::ApiClient& api,
          util::MetricsRegistry& registry, BgpModeOptions options, BgpModeOutputs outputs);
  ~BgpMode();
  BgpMode(const BgpMode&) = delete;
  BgpMode& operator=(const BgpMode&) = delete;

  // Logic thread only.
  void setConfig(std::shared_ptr<const lbconfig::Config> config);
  void setServices(std::vector<control::ServiceInput> services);
  // Withdraws every route, writes the marker, then runs `done` on the logic thread.
  void stop(std::function<void()> done);

 private:
  struct Inputs {
    std::shared_ptr<const lbconfig::Config> config;
    std::optional<std::vector<control::ServiceInput>> services;
  };
  struct Outcome {
    util::MonoTime next{};
    std::optional<control::AnnouncedServices> announced;  // set when it changed
    std::vector<bgp::SessionEvent> events;
    std::vector<std::string> problems;
  };
  void kick();
  void arm(util::MonoTime at);
  // Worker thread.
  Outcome run(Inputs inputs);
  std::map<std::string, std::string> readPasswords(std::vector<std::string>& problems);

  const util::Clock& clock_;
  k8s::ApiClient& api_;
  BgpModeOptions options_;
  BgpModeOutputs outputs_;

  // Logic thread.
  Inputs pending_;
  bool dirty_ = false;
  bool inflight_ = false;
  bool stopping_ = false;
  std::vector<std::string> problems_;
  boost::asio::steady_timer timer_;

  // Worker thread (after construction).
  std::unique_ptr<bgp::BgpMetrics> metrics_;
  std::unique_ptr<bgp::FrrPort> frr_;
  std::unique_ptr<bgp::BgpNode> node_;
  std::shared_ptr<const lbconfig::Config> config_;
  std::map<std::string, std::string> passwords_;
  std::vector<std::string> passwordProblems_;
  util::MonoTime passwordsRead_{};
  control::AnnouncedServices announced_;

  k8s::BackgroundWorker worker_;  // last: stopped (joined) first
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// What a node's plan announces, per Service: the peers (for ServiceBGPStatus).
control::AnnouncedServices announcedServices(const bgp::NodePlan& plan);

// When the password Secrets, last read at `readAt`, are to be read again (a configuration
// change, node labels included, reads them at once anyway): never when none of the node's
// `peers` (those selecting it, including any left out of FRR for want of a password) has a
// passwordSecret; `options.passwordRefresh` later while one that has is not established or a
// read failed (`readFailed`); `options.passwordRefreshSettled` later once all are up.
util::MonoTime passwordsDue(const lbconfig::BgpConfig& bgp, const std::vector<std::string>& peers,
                            const std::function<bool(const std::string&)>& established,
                            bool readFailed, util::MonoTime readAt, const BgpModeOptions& options);

}  // namespace ironlb::speaker
