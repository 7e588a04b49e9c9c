#pragma once
// BgpNode: BGP mode on one node, between the speaker's inputs and FRR (docs/bgp.md). The speaker
// feeds it the configuration, the Services and the peers' passwords; step() plans, renders and
// applies whatever changed, retries with backoff when FRR refused or was away, and reads FRR's
// session and BFD state back on a period for metrics and session Events. withdrawAll() is the
// first thing a graceful stop does. No thread of its own: the caller runs step() on its loop,
// at the time step() returns, or sooner when an input changed.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/lbconfig/bgp_config.h"
#include "common/lbconfig/config.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"
#include "common/util/result.h"
#include "speaker/bgp/bgp_metrics.h"
#include "speaker/bgp/bgp_plan.h"
#include "speaker/bgp/frr_port.h"
#include "speaker/control/service_input.h"

namespace ironlb::bgp {

// A change of a session's state worth an Event or a log line.
struct SessionEvent {
  std::string peer;  // BGPPeer name
  bool established = false;
  std::string detail;  // FRR's state and last reset reason

  friend bool operator==(const SessionEvent&, const SessionEvent&) = default;
};

struct BgpNodeOptions {
  util::Duration pollInterval = std::chrono::seconds(5);
  // A session never established for this long is reported once (a down Event with the likely
  // causes: a wrong password looks exactly like an unreachable router).
  util::Duration downReportAfter = std::chrono::seconds(15);
  util::BackoffPolicy retry{};
};

class BgpNode {
 public:
  BgpNode(std::string node, FrrPort& frr, const util::Clock& clock, util::RandomSource random,
          BgpMetrics* metrics = nullptr, BgpNodeOptions options = {});

  void setConfig(std::shared_ptr<const lbconfig::Config> config, lbconfig::BgpConfig bgp);
  void setServices(std::vector<control::ServiceInput> services);
  // Passwords by BGPPeer name, read by the speaker from the peers' Secrets and checked with
  // checkPassword; a peer that needs one and has none here is left out (see problems()).
  void setPasswords(std::map<std::string, std::string> passwords);

  // Does what is due; returns when it wants to run next.
  util::MonoTime step();
  // Graceful stop: keeps the sessions, withdraws every route, and says whether FRR confirmed.
  Status withdrawAll();

  const NodePlan& plan() const { return plan_; }
  // Why something is left out of FRR's configuration (peers without their password, myASN
  // conflicts); for logs and Events, never containing a password.
  const std::vector<std::string>& problems() const { return problems_; }
  // The last apply's error, if it failed ("" otherwise).
  const std::string& lastError() const { return lastError_; }
  bool inSync() const { return !dirty_ && lastError_.empty(); }
  // Whether the session with this BGPPeer was Established when FRR was last asked.
  bool established(const std::string& peer) const {
    const auto it = established_.find(peer);
    return it != established_.end() && it->second;
  }
  std::vector<SessionEvent> takeEvents();

 private:
  // The configuration without the peers whose password is missing (reported in `problems`).
  lbconfig::BgpConfig usableConfig(std::vector<std::string>* problems) const;
  void replan();
  void applyDue(util::MonoTime now);
  void pollDue(util::MonoTime now);

  std::string node_;
  FrrPort& frr_;
  const util::Clock& clock_;
  BgpMetrics* metrics_;
  BgpNodeOptions options_;
  util::Backoff backoff_;

  std::shared_ptr<const lbconfig::Config> config_;
  lbconfig::BgpConfig bgp_;
  std::vector<control::ServiceInput> services_;
  std::map<std::string, std::string> passwords_;

  NodePlan plan_;
  std::vector<std::string> problems_;
  std::string rendering_;
  bool dirty_ = false;  // inputs changed since the last successful apply
  std::string lastError_;
  util::MonoTime nextApply_{};
  util::MonoTime appliedAt_{};  // last successful apply
  util::MonoTime nextPoll_{};
  std::map<std::string, bool> established_;          // by BGPPeer name, as last seen
  std::map<std::string, util::MonoTime> downSince_;  // sessions not (yet) established
  std::set<std::string> downReported_;
  std::vector<SessionEvent> events_;
};

}  // namespace ironlb::bgp
