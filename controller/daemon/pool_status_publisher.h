#pragma once
// PoolStatusPublisher: keeps each IPAddressPool's status (assigned/available per family) equal
// to the allocator's counters, without flooding the API server: pools are marked dirty as
// assignments change, and every `interval` each dirty pool is compared with the status the
// informer shows and written (merge patch on the status subresource) only when it differs, one
// write per pool in flight. The allocator gauges are refreshed on the same beat, and on a beat
// with dirty pools one O(Services) pass counts the Services per pool
// (metallb_allocator_services_allocated_total), never once per Service event.
//
// Pool protection (docs/allocation.md), on the same beat: a pool from which some Service holds
// an address carries the finalizer ironlb.io/pool-protection, one from which none does loses it
// (JSON patch, guarded by a test so another writer's finalizers are never lost). A pool being
// deleted while in use gets a Warning event `PoolInUse` naming the Services that hold it, again
// whenever that list changes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/background_worker.h"
#include "common/k8s/event_recorder.h"
#include "common/k8s/informer.h"
#include "controller/allocator/allocation.h"
#include "controller/daemon/allocator_metrics.h"

namespace ironlb::controller {

// The finalizer that keeps an IPAddressPool while Services hold its addresses.
inline constexpr std::string_view kPoolProtectionFinalizer = "ironlb.io/pool-protection";

class PoolStatusPublisher {
 public:
  using Counters = std::function<std::optional<allocator::PoolCounters>(const std::string& pool)>;
  using InUse = std::function<bool(const std::string& pool)>;
  using Holders = std::function<std::vector<std::string>(const std::string& pool)>;
  using ServicesPerPool = std::function<std::vector<std::pair<std::string, std::size_t>>()>;

  PoolStatusPublisher(k8s::ApiClient& api, boost::asio::io_context& io, const k8s::Informer& pools,
                      std::string ns, Counters counters, InUse inUse, Holders holders,
                      k8s::EventRecorder& events, AllocatorMetrics& metrics,
                      util::Duration interval, ServicesPerPool servicesPerPool = nullptr);
  ~PoolStatusPublisher();

  void markDirty(const std::string& pool);
  // Every pool in the informer (after a configuration change or at start-up).
  void markAllDirty();
  // Drops the gauges of a pool that no longer exists.
  void forget(const std::string& pool);
  void stop();

 private:
  void arm();
  void tick();
  // Adds or removes the finalizer as the pool's use says; reports a deleting pool in use and
  // returns the Services holding it (for status.deletionBlockedBy; empty unless deleting).
  std::vector<std::string> protect(const std::string& pool, const k8s::Json& object);

  k8s::ApiClient& api_;
  const k8s::Informer& pools_;
  std::string ns_;
  Counters counters_;
  InUse inUse_;
  Holders holders_;
  ServicesPerPool servicesPerPool_;
  k8s::EventRecorder& events_;
  AllocatorMetrics& metrics_;
  util::Duration interval_;
  boost::asio::steady_timer timer_;
  k8s::BackgroundWorker worker_;
  std::set<std::string> dirty_;
  std::set<std::string> inFlight_;
  std::set<std::string> finalizerInFlight_;
  std::map<std::string, std::string> inUseReported_;  // pool -> last PoolInUse message
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace ironlb::controller
