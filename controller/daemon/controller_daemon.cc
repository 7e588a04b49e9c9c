#include "controller/daemon/controller_daemon.h"

#include "common/api/node_json.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"
#include "controller/daemon/configuration_state_factory.h"
#include "controller/daemon/service_status.h"

namespace ironlb::controller {
namespace {

std::shared_ptr<spdlog::logger> log() {
  static auto logger = util::getLogger("controller");
  return logger;
}

k8s::InformerOptions informerOptions(const k8s::ResourceType& type, std::string ns,
                                     k8s::K8sMetrics& metrics, const util::Clock& clock) {
  k8s::InformerOptions o;
  o.clock = &clock;
  o.type = type;
  o.ns = std::move(ns);
  o.metrics = &metrics;
  // managedFields are half of a typical Service in memory and never read; status writes omit
  // them and the server keeps them.
  o.transform = k8s::dropManagedFields;
  return o;
}

}  // namespace

ControllerDaemon::ControllerDaemon(boost::asio::io_context& io, ControllerFlags flags,
                                   k8s::ApiClient& api, util::MetricsRegistry& registry,
                                   k8s::K8sMetrics& metrics, util::ReadinessFlag& readiness,
                                   const util::Clock& clock)
    : io_(io),
      clock_(clock),
      flags_(std::move(flags)),
      api_(api),
      metrics_(metrics),
      readiness_(readiness),
      allocatorMetrics_(registry),
      leaderGauge_(
          registry
              .gauge("ironlb_controller_leader", "1 while this replica leads and writes, else 0")
              .get()),
      pendingGauge_(registry
                        .gauge("ironlb_controller_services_pending",
                               "LoadBalancer Services waiting for an IP")
                        .get()),
      writeLimitGauge_(
          registry
              .gauge("ironlb_controller_status_writes_limit",
                     "Service status writes allowed in flight at once: --status-writers, fewer "
                     "while the API server pushes back with 429; 0 when not leading")
              .get()),
      // The recorder's limits are per Service (with a global ceiling against floods), so a
      // burst of new Services each get their IPAllocated Event; they are written once the
      // status writes are done (they share the API server and its fairness share).
      events_(api, {.component = "ironlb-controller",
                    .host = flags_.identity,
                    .clock = &clock,
                    .metrics = &metrics,
                    .yieldTo = &statusWritesPending_}),
      services_(
          api, io,
          [&] {
            auto o = informerOptions(k8s::resources::kServices, "", metrics, clock);
            o.transform = [cls = flags_.lbClass](k8s::Json& s) { slimService(s, cls); };
            return o;
          }(),
          [this] {
            k8s::InformerHandlers h = serviceEventHandlers(session_);
            h.onSynced = [this] { onSynced(); };
            return h;
          }()),
      config_(
          api, io,
          [&](const k8s::ResourceType& type) {
            return informerOptions(type, flags_.ns, metrics, clock);
          },
          configHandlers()),
      namespaceInformer_(
          api, io, informerOptions(k8s::resources::kNamespaces, "", metrics, clock),
          {.onAdd = [this](const k8s::Json& n) { namespaceSeen(n, false); },
           .onUpdate = [this](const k8s::Json&, const k8s::Json& n) { namespaceSeen(n, false); },
           .onDelete = [this](const k8s::Json& n) { namespaceSeen(n, true); },
           .onSynced = [this] { onSynced(); }}) {
  readiness_.setNotReady("informers not synced");
}

k8s::InformerHandlers ControllerDaemon::configHandlers() {
  auto changed = [this](const k8s::Json&) {
    if (session_) session_->configChanged();
  };
  return {.onAdd = changed,
          .onUpdate =
              [this](const k8s::Json& a, const k8s::Json& b) {
                if (session_ && configRelevantChange(a, b)) session_->configChanged();
              },
          .onDelete = changed,
          .onSynced = [this] { onSynced(); }};
}

std::optional<k8s::LeaseOwner> ControllerDaemon::leaseOwner() const {
  if (flags_.leaseOwnerDeployment.empty()) return std::nullopt;
  return k8s::LeaseOwner{k8s::resources::kDeployments, flags_.leaseOwnerDeployment};
}

ControllerDaemon::~ControllerDaemon() {
  stop();
}

Status ControllerDaemon::start() {
  events_.start();
  services_.start();
  config_.start();
  namespaceInformer_.start();
  if (!flags_.leaderElect) {
    startLeading();
    return {};
  }
  elector_ = std::make_unique<k8s::LeaderElector>(
      api_, io_,
      k8s::LeaderElectorOptions{.ns = flags_.ns,
                                .name = flags_.leaseName,
                                .identity = flags_.identity,
                                .timing = flags_.leaseTiming,
                                .owner = leaseOwner(),
                                .clock = &clock_},
      k8s::LeaderCallbacks{
          .onStartedLeading = [this] { startLeading(); },
          .onStoppedLeading = [this] { stopLeading(); },
          .onNewLeader =
              [](const std::string& holder) {
                util::logWith(*log(), spdlog::level::info, "leader", {{"holder", holder}});
              }});
  return elector_->start();
}

void ControllerDaemon::stop() {
  if (stopped_) return;
  stopped_ = true;
  util::logWith(*log(), spdlog::level::info, "stopping", {});
  session_.reset();  // no write after this point
  leaderGauge_.set(0);
  readiness_.setNotReady("stopping");
  if (elector_) elector_->stop();  // releases the Lease if held
  events_.flush(std::chrono::seconds(2));
  events_.stop();
  services_.stop();
  config_.stop();
  namespaceInformer_.stop();
}

bool ControllerDaemon::synced() const {
  return services_.synced() && config_.synced() && namespaceInformer_.synced();
}

void ControllerDaemon::startLeading() {
  if (stopped_ || session_) return;
  util::logWith(*log(), spdlog::level::info, "started leading", {{"identity", flags_.identity}});
  leaderGauge_.set(1);
  session_ = std::make_unique<LeaderSession>(SessionContext{
      .api = api_,
      .io = io_,
      .clock = clock_,
      .flags = flags_,
      .services = services_,
      .config = config_,
      .namespaces = namespaces_,
      .events = events_,
      .k8sMetrics = metrics_,
      .allocatorMetrics = allocatorMetrics_,
      .pendingGauge = pendingGauge_,
      .writeLimitGauge = writeLimitGauge_,
      .writesPending = &statusWritesPending_,

      .onRunning = [this] { updateReadiness(); },
      .writeDeadline = elector_
                           ? std::function<std::optional<util::MonoTime>()>(
                                 [elector = elector_.get()] { return elector->writeDeadline(); })
                           : nullptr,
      .configState = configurationStateFactory(io_, api_, flags_),
  });
  if (synced()) session_->start();
  updateReadiness();
}

void ControllerDaemon::stopLeading() {
  if (!session_) return;
  util::logWith(*log(), spdlog::level::warn, "stopped leading: no more writes",
                {{"identity", flags_.identity}});
  session_.reset();
  leaderGauge_.set(0);
  updateReadiness();
}

void ControllerDaemon::onSynced() {
  if (!synced()) return;
  util::logWith(*log(), spdlog::level::info, "informers synced",
                {{"services", static_cast<int64_t>(services_.store().size())},
                 {"namespaces", static_cast<int64_t>(namespaceInformer_.store().size())}});
  if (session_) session_->start();
  updateReadiness();
}

void ControllerDaemon::updateReadiness() {
  if (stopped_) return;
  if (!synced()) {
    readiness_.setNotReady("informers not synced");
  } else if (session_ && !session_->running()) {
    readiness_.setNotReady("leading: waiting for a valid configuration to restore assignments");
  } else {
    readiness_.setReady();
  }
}

void ControllerDaemon::namespaceSeen(const k8s::Json& object, bool deleted) {
  const std::string name = k8s::nameOf(object);
  lbconfig::Labels labels;
  if (!deleted) {
    if (auto ns = api::decodeNamespace(object)) labels = std::move(ns->meta.labels);
  }
  auto it = namespaces_.find(name);
  const bool changed = deleted ? it != namespaces_.end()
                               : (it == namespaces_.end() ? !labels.empty() : it->second != labels);
  if (deleted) {
    if (it != namespaces_.end()) namespaces_.erase(it);
  } else {
    namespaces_[name] = std::move(labels);
  }
  if (changed && session_) session_->namespaceChanged(name);
}

bool ControllerDaemon::configRelevantChange(const k8s::Json& before, const k8s::Json& after) {
  // Status writes (ours, to pools) change neither spec nor labels, nor do our finalizers.
  auto part = [](const k8s::Json& o, const char* a, const char* b) -> const k8s::Json* {
    auto i = o.find(a);
    if (i == o.end()) return nullptr;
    if (!b) return &*i;
    auto j = i->find(b);
    return j == i->end() ? nullptr : &*j;
  };
  auto same = [](const k8s::Json* x, const k8s::Json* y) {
    return (!x && !y) || (x && y && *x == *y);
  };
  return !same(part(before, "spec", nullptr), part(after, "spec", nullptr)) ||
         !same(part(before, "metadata", "labels"), part(after, "metadata", "labels")) ||
         !same(part(before, "metadata", "namespace"), part(after, "metadata", "namespace")) ||
         // A pool being deleted stops giving out addresses (pool protection).
         !same(part(before, "metadata", "deletionTimestamp"),
               part(after, "metadata", "deletionTimestamp"));
}

}  // namespace ironlb::controller
