#pragma once
// ControllerDaemon: the controller process minus main(): informers kept warm for the whole
// process (so a standby can take over at once), leader election, and the LeaderSession that
// does the work while this replica leads. Everything runs on one io_context thread.
//
// Readiness (/readyz): every informer has synced and, while leading, the start-up restore is
// done. A standby is ready once synced, so that rolling updates of a two-replica Deployment
// proceed.
//
// stop() (SIGTERM): the session goes first (no write after this point), then the Lease is
// released so that a standby takes over at its next retry instead of waiting for expiry, then
// queued Events are flushed (bounded) and the informers stop.

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>

#include "common/k8s/api_client.h"
#include "common/k8s/busy_signal.h"
#include "common/k8s/event_recorder.h"
#include "common/k8s/informer.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/leader_elector.h"
#include "common/util/health_server.h"
#include "common/util/metrics.h"
#include "controller/daemon/allocator_metrics.h"
#include "controller/daemon/config_informers.h"
#include "controller/daemon/flags.h"
#include "controller/daemon/leader_session.h"

namespace ironlb::controller {

class ControllerDaemon {
 public:
  ControllerDaemon(boost::asio::io_context& io, ControllerFlags flags, k8s::ApiClient& api,
                   util::MetricsRegistry& registry, k8s::K8sMetrics& metrics,
                   util::ReadinessFlag& readiness, const util::Clock& clock);
  ~ControllerDaemon();
  ControllerDaemon(const ControllerDaemon&) = delete;
  ControllerDaemon& operator=(const ControllerDaemon&) = delete;

  // Starts the informers, the event recorder and leader election (or leads at once with
  // --leader-elect=false).
  Status start();
  // Graceful stop; call on the logic thread. Idempotent.
  void stop();

  bool synced() const;
  bool leading() const { return session_ != nullptr; }
  const LeaderSession* session() const { return session_.get(); }

 private:
  void startLeading();
  void stopLeading();
  void onSynced();
  void updateReadiness();
  void namespaceSeen(const k8s::Json& object, bool deleted);
  static bool configRelevantChange(const k8s::Json& before, const k8s::Json& after);
  // The configuration's kinds (ConfigInformers): any relevant change rebuilds the configuration.
  k8s::InformerHandlers configHandlers();

  boost::asio::io_context& io_;
  const util::Clock& clock_;
  const ControllerFlags flags_;
  k8s::ApiClient& api_;
  k8s::K8sMetrics& metrics_;
  util::ReadinessFlag& readiness_;
  AllocatorMetrics allocatorMetrics_;
  util::Gauge& leaderGauge_;
  util::Gauge& pendingGauge_;
  util::Gauge& writeLimitGauge_;
  NamespaceLabels namespaces_;
  k8s::BusySignal statusWritesPending_;  // before events_: the recorder waits on it
  k8s::EventRecorder events_;
  k8s::Informer services_;
  ConfigInformers config_;
  k8s::Informer namespaceInformer_;
  std::unique_ptr<k8s::LeaderElector> elector_;
  std::optional<k8s::LeaseOwner> leaseOwner() const;
  std::unique_ptr<LeaderSession> session_;
  bool stopped_ = false;
};

}  // namespace ironlb::controller
