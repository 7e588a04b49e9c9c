#pragma once
// PoolStatusPublisher: keeps each IPAddressPool's status (assigned/available per family) equal
// to the allocator's counters, without flooding the API server: pools are marked dirty as
// assignments change, and every `interval` each dirty pool is compared with the status the
// informer shows and written (merge patch on the status subresource) only when it differs, one
// write per pool in flight. The allocator gauges are refreshed on the same beat.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "common/k8s/api_client.h"
#include "common/k8s/background_worker.h"
#include "common/k8s/informer.h"
#include "controller/allocator/allocation.h"
#include "controller/daemon/allocator_metrics.h"

namespace ironlb::controller {

class PoolStatusPublisher {
 public:
  using Counters = std::function<std::optional<allocator::PoolCounters>(const std::string& pool)>;

  PoolStatusPublisher(k8s::ApiClient& api, boost::asio::io_context& io, const k8s::Informer& pools,
                      std::string ns, Counters counters, AllocatorMetrics& metrics,
                      util::Duration interval);
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

  k8s::ApiClient& api_;
  const k8s::Informer& pools_;
  std::string ns_;
  Counters counters_;
  AllocatorMetrics& metrics_;
  util::Duration interval_;
  boost::asio::steady_timer timer_;
  k8s::BackgroundWorker worker_;
  std::set<std::string> dirty_;
  std::set<std::string> in_flight_;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace ironlb::controller
