#pragma once
// LeaderSession: everything the controller does while it leads, for one leadership term. The
// informers (kept warm by the daemon, also on a standby) are only read; the session owns the
// allocator (through the ServiceReconciler), the reconcile queue, the status writers and the
// pool status publisher. Destroying it stops every write at once: a replica that lost the
// Lease (or is shutting down) writes nothing more, and a new term starts from scratch,
// restoring from the Service statuses as they are then.
//
// Start-up (start(), once every informer has synced):
//   1. build the configuration; while it is invalid, wait (nothing is restored or cleared on
//      the strength of a broken configuration);
//   2. setPools, then restore every Service whose status shows IPs, in key order, before
//      anything is allocated: a restart never moves an IP. The statuses come from a fresh
//      consistent list of the API server, not from the informer (a standby's warm cache may
//      lag behind the writes of the previous leader; docs/leader-election.md);
//   3. running(): reconcile every Service through the queue.
// Then: a Service change reconciles that Service; a pool/advertisement change rebuilds the
// configuration (an invalid one is reported and the last valid one stays in force), re-applies
// pools when they changed and re-reconciles the Services that lost or changed pools plus every
// pending one; freed IPs re-reconcile the pending Services; a namespace label change
// re-reconciles that namespace's Services (serviceAllocation namespaceSelectors).
//
// Hold-back (--release-hold, docs/allocation.md): IPs given up because of an edit stay out of
// other Services' reach for the period; a timer frees them when it ends and re-reconciles the
// pending Services. Pool protection: pools being deleted keep serving the Services that hold
// their addresses (no new ones); the pool status publisher keeps the finalizer
// ironlb.io/pool-protection on every pool in use and says which Services hold a deleting one.
//
// Writes: one in flight per Service (the queue runs a key once at a time and completes it when
// its write finishes), at most --status-writers at once. A write is PUT .../status with the
// resourceVersion the informer holds; on 409 nothing is re-applied: the key is queued again and
// decided afresh from the informer's newer copy (a blind re-apply could write a decision
// another leader has overtaken); on 429 fewer writes go out at once (StatusWriterPool) and the
// rejected one is retried after Retry-After. Until the informer echoes a write, the session
// remembers what it wrote, so a quick second reconcile does not see its own stale past. Fencing: a
// write is started only before SessionContext::writeDeadline (the Lease's renewal plus
// renewDeadline, read on SessionContext::clock like the elector's own times), else it is dropped
// and the key retried; a deposed leader's delayed writes never reach the API server once its lease
// may have passed to another replica. Events wait while writes are pending
// (SessionContext::writesPending): during a burst of new Services the statuses go first.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "common/k8s/api_client.h"
#include "common/k8s/background_worker.h"
#include "common/k8s/configuration_state_writer.h"
#include "common/k8s/event_recorder.h"
#include "common/k8s/informer.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/work_queue.h"
#include "common/lbconfig/config.h"
#include "common/lbconfig/issue_tracker.h"
#include "common/lbconfig/labels.h"
#include "controller/daemon/allocator_metrics.h"
#include "controller/daemon/config_informers.h"
#include "controller/daemon/flags.h"
#include "controller/daemon/pool_status_publisher.h"
#include "controller/daemon/status_writer_pool.h"
#include "controller/reconciler/service_reconciler.h"

namespace ironlb::controller {

using NamespaceLabels = std::map<std::string, lbconfig::Labels, std::less<>>;

struct SessionContext {
  k8s::ApiClient& api;
  boost::asio::io_context& io;
  const util::Clock& clock;  // hold-back expiry and write fencing
  const ControllerFlags& flags;
  const k8s::Informer& services;
  const ConfigInformers& config;  // pools, advertisements, BGP mode's kinds
  const NamespaceLabels& namespaces;
  k8s::EventRecorder& events;
  k8s::K8sMetrics& k8sMetrics;
  AllocatorMetrics& allocatorMetrics;
  util::Gauge& pendingGauge;
  util::Gauge& writeLimitGauge;  // the status writes allowed in flight now
  // Shows the status writes waiting or in flight (the EventRecorder stands back meanwhile).
  k8s::BusySignal* writesPending = nullptr;
  // Called once when the start-up restore is done (readiness).
  std::function<void()> onRunning{};
  // When writes as leader must stop (LeaderElector::writeDeadline); empty: never (no election).
  // Called on writer threads.
  std::function<std::optional<util::MonoTime>()> writeDeadline{};
  // How often pool statuses and allocator gauges are refreshed at most.
  util::Duration poolStatusInterval = std::chrono::seconds(1);
  // Makes this term's ConfigurationState writer (told the verdict of every configuration
  // build); empty: none. Per term, so a deposed leader writes no more and a new term starts
  // from what the object shows (configuration_state_factory.h).
  std::function<std::unique_ptr<k8s::ConfigurationStateReporter>()> configState{};
};

class LeaderSession {
 public:
  explicit LeaderSession(SessionContext context);
  ~LeaderSession();
  LeaderSession(const LeaderSession&) = delete;
  LeaderSession& operator=(const LeaderSession&) = delete;

  // Every informer has synced.
  void start();
  // Start-up restore is done and Services are being reconciled.
  bool running() const { return running_; }

  void serviceAdded(const k8s::Json& object);
  void serviceUpdated(const k8s::Json& before, const k8s::Json& after);
  void serviceDeleted(const k8s::Json& last);
  // An object of the configuration changed (coalesced: one rebuild per turn of the loop).
  void configChanged();
  // The labels of namespace `ns` changed.
  void namespaceChanged(const std::string& ns);

  // For tests and logs.
  bool idle() const { return queue_.idle() && writes_.idle(); }

 private:
  struct Written {
    std::string baseVersion;  // the resourceVersion the write started from
    reconciler::DesiredStatus desired;
  };

  void applyConfig();
  void reportIssues(const lbconfig::IssueReport& report);
  // Lists the Services (consistent read), then restores from that list and starts running.
  void beginRestore();
  void restoreAll(const std::vector<k8s::Json>& services);
  void reconcile(const std::string& key, k8s::WorkQueue::Done done);
  void write(const std::string& key, reconciler::DesiredStatus desired, std::string decidedVersion,
             k8s::WorkQueue::Done done);
  void written(const std::string& key, const std::string& baseVersion,
               reconciler::DesiredStatus desired, const k8s::ApiResult<k8s::Json>& result,
               const k8s::WorkQueue::Done& done);
  // The Service as decoded from the informer, with the session's own unechoed write applied.
  std::optional<api::Service> current(const std::string& key);
  void retryPending();
  // The time for the allocator's hold-back, and a timer for the next hold to run out.
  void advanceClock();
  void armHoldTimer();
  // A write dropped by fencing: retried (by this term, if it still leads once renewed).
  void fenced(const std::string& key, const k8s::WorkQueue::Done& done);
  void setPending(const std::string& key, bool pending);
  const lbconfig::Labels& namespaceLabels(const std::string& ns) const;

  SessionContext ctx_;
  reconciler::ServiceReconciler reconciler_;
  lbconfig::ConfigIssueTracker issues_;
  std::optional<lbconfig::Config> config_;  // the last valid configuration
  std::vector<lbconfig::Pool> deleting_;    // pools being deleted, still serving their holders
  boost::asio::steady_timer holdTimer_;
  std::optional<util::MonoTime> holdTimerAt_;
  bool started_ = false;
  bool running_ = false;
  bool configPosted_ = false;
  bool restoreStarted_ = false;
  // Services the informer saw deleted before the session was running (docs/leader-election.md).
  std::set<std::string> deletedBeforeRunning_;
  boost::asio::steady_timer restoreRetry_;
  k8s::BackgroundWorker restoreList_;
  bool retryPosted_ = false;
  std::set<std::string> pending_;
  uint64_t fencedWrites_ = 0;
  std::unordered_map<std::string, Written> written_;
  std::shared_ptr<bool> alive_;
  std::unique_ptr<k8s::ConfigurationStateReporter> configState_;
  // Declared last: destroyed first, so nothing they run can reach a dead member.
  PoolStatusPublisher poolStatus_;
  StatusWriterPool writes_;
  k8s::WorkQueue queue_;
};

// The Service informer's handlers for the session `session` holds at the time of each event (none
// yet: ignored), as ControllerDaemon wires them.
k8s::InformerHandlers serviceEventHandlers(const std::unique_ptr<LeaderSession>& session);

}  // namespace ironlb::controller
