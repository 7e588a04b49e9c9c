#include "controller/daemon/pool_status_publisher.h"

#include "common/api/metallb_types.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"
#include "controller/reconciler/pool_status.h"

namespace ironlb::controller {

PoolStatusPublisher::PoolStatusPublisher(k8s::ApiClient& api, boost::asio::io_context& io,
                                         const k8s::Informer& pools, std::string ns,
                                         Counters counters, AllocatorMetrics& metrics,
                                         util::Duration interval)
    : api_(api),
      pools_(pools),
      ns_(std::move(ns)),
      counters_(std::move(counters)),
      metrics_(metrics),
      interval_(interval),
      timer_(io),
      worker_(io, "pool-status") {}

PoolStatusPublisher::~PoolStatusPublisher() {
  stop();
}

void PoolStatusPublisher::stop() {
  stopped_ = true;
  timer_.cancel();
  worker_.stop();
}

void PoolStatusPublisher::markDirty(const std::string& pool) {
  if (stopped_ || pool.empty()) return;
  dirty_.insert(pool);
  arm();
}

void PoolStatusPublisher::markAllDirty() {
  for (const auto& [key, json] : pools_.store().items())
    markDirty(k8s::nameOf(json));
}

void PoolStatusPublisher::forget(const std::string& pool) {
  metrics_.remove(pool);
  dirty_.erase(pool);
}

void PoolStatusPublisher::arm() {
  if (armed_ || stopped_) return;
  armed_ = true;
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    armed_ = false;
    tick();
  });
}

void PoolStatusPublisher::tick() {
  std::set<std::string> dirty;
  dirty.swap(dirty_);
  for (const std::string& pool : dirty) {
    const auto counters = counters_(pool);
    if (!counters) continue;  // not (or no longer) a pool of the valid configuration
    metrics_.update(pool, *counters);
    const k8s::Json* object = pools_.get(k8s::objectKey(ns_, pool));
    if (!object) continue;
    const api::IPAddressPoolStatus want = reconciler::poolStatus(*counters);
    auto decoded = api::decodeIPAddressPool(*object);
    if (decoded && decoded->status == want) continue;
    if (in_flight_.count(pool)) {
      dirty_.insert(pool);  // look again next beat
      continue;
    }
    in_flight_.insert(pool);
    worker_.submit<k8s::ApiResult<k8s::Json>>(
        [this, pool, want] {
          return api_.patch(k8s::resources::kIPAddressPools, ns_, pool, k8s::PatchType::kMerge,
                            api::encodeIPAddressPoolStatusPatch(want, ""), "status",
                            {.cancel = &worker_.token()});
        },
        [this, pool](k8s::ApiResult<k8s::Json> r) {
          in_flight_.erase(pool);
          if (!r && !r.error().isNotFound()) {
            util::logWith(*util::getLogger("controller"), spdlog::level::warn,
                          "cannot write IPAddressPool status",
                          {{"pool", pool}, {"error", r.error().describe()}});
            markDirty(pool);
          }
        });
  }
  if (!dirty_.empty()) arm();
}

}  // namespace ironlb::controller
