#include "controller/daemon/pool_status_publisher.h"

#include "common/api/metallb_types_json.h"
#include "common/k8s/object_meta.h"
#include "common/util/logging.h"
#include "controller/reconciler/pool_status.h"

namespace ironlb::controller {

PoolStatusPublisher::PoolStatusPublisher(k8s::ApiClient& api, boost::asio::io_context& io,
                                         const k8s::Informer& pools, std::string ns,
                                         Counters counters, InUse inUse, Holders holders,
                                         k8s::EventRecorder& events, AllocatorMetrics& metrics,
                                         util::Duration interval, ServicesPerPool servicesPerPool)
    : api_(api),
      pools_(pools),
      ns_(std::move(ns)),
      counters_(std::move(counters)),
      inUse_(std::move(inUse)),
      holders_(std::move(holders)),
      servicesPerPool_(std::move(servicesPerPool)),
      events_(events),
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
  // A Service changing pools, arriving or leaving marks its pools dirty: a beat with dirty
  // pools is the only one whose counts may differ.
  if (!dirty.empty() && servicesPerPool_) {
    for (const auto& [pool, services] : servicesPerPool_())
      metrics_.setServicesAllocated(pool, services);
  }
  for (const std::string& pool : dirty) {
    const k8s::Json* object = pools_.get(k8s::objectKey(ns_, pool));
    std::vector<std::string> blocking;
    if (object) blocking = protect(pool, *object);
    const auto counters = counters_(pool);
    if (!counters) continue;  // not (or no longer) a pool of the valid configuration
    metrics_.update(pool, *counters);
    if (!object) continue;
    api::IPAddressPoolStatus want = reconciler::poolStatus(*counters);
    if (blocking.size() > 10) blocking.resize(10);
    want.deletionBlockedBy = std::move(blocking);
    auto decoded = api::decodeIPAddressPool(*object);
    if (decoded && decoded->status == want) continue;
    if (inFlight_.count(pool)) {
      dirty_.insert(pool);  // look again next beat
      continue;
    }
    inFlight_.insert(pool);
    worker_.submit<k8s::ApiResult<k8s::Json>>(
        [this, pool, want] {
          return api_.patch(k8s::resources::kIPAddressPools, ns_, pool, k8s::PatchType::kMerge,
                            api::encodeIPAddressPoolStatusPatch(want, ""), "status",
                            {.cancel = &worker_.token()});
        },
        [this, pool](k8s::ApiResult<k8s::Json> r) {
          inFlight_.erase(pool);
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

namespace {

// Where the finalizer sits in metadata.finalizers (-1: absent); `present`: the list exists.
int finalizerIndex(const k8s::Json& object, bool& present) {
  present = false;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return -1;
  auto list = meta->find("finalizers");
  if (list == meta->end() || !list->is_array()) return -1;
  present = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i].is_string() && (*list)[i].get<std::string>() == kPoolProtectionFinalizer) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string holdersText(const std::vector<std::string>& holders) {
  constexpr std::size_t kNamed = 10;
  std::string out;
  for (std::size_t i = 0; i < holders.size() && i < kNamed; ++i)
    out += (i ? ", " : "") + holders[i];
  if (holders.size() > kNamed) out += " and " + std::to_string(holders.size() - kNamed) + " more";
  return out;
}

}  // namespace

std::vector<std::string> PoolStatusPublisher::protect(const std::string& pool,
                                                      const k8s::Json& object) {
  std::vector<std::string> blocking;
  const bool inUse = inUse_(pool);
  bool listPresent = false;
  const int index = finalizerIndex(object, listPresent);
  const bool deleting = object.contains("metadata") && object["metadata"].is_object() &&
                        object["metadata"].contains("deletionTimestamp");
  if (deleting && inUse) {
    std::vector<std::string> holders = holders_(pool);
    std::string message = "IPAddressPool is being deleted but " + std::to_string(holders.size()) +
                          " Service(s) hold addresses from it: " + holdersText(holders) +
                          "; it gives out no new addresses and goes once they release theirs "
                          "(finalizer " +
                          std::string(kPoolProtectionFinalizer) + ")";
    std::string& last = inUseReported_[pool];
    if (last != message) {
      util::logWith(*util::getLogger("controller"), spdlog::level::warn, "pool in use",
                    {{"pool", pool}, {"message", message}});
      events_.record(k8s::referenceTo(k8s::resources::kIPAddressPools, object),
                     k8s::EventType::kWarning, "PoolInUse", message);
      last = std::move(message);
    }
    blocking = std::move(holders);
  } else {
    inUseReported_.erase(pool);
  }
  if (inUse == (index >= 0)) return blocking;
  if (finalizerInFlight_.count(pool)) {
    dirty_.insert(pool);  // look again next beat, once the write in flight is done
    return blocking;
  }
  const std::string version = k8s::resourceVersionOf(object);
  k8s::Json patch = k8s::Json::array();
  if (inUse) {
    patch.push_back({{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", version}});
    if (listPresent) {
      patch.push_back({{"op", "add"},
                       {"path", "/metadata/finalizers/-"},
                       {"value", std::string(kPoolProtectionFinalizer)}});
    } else {
      patch.push_back({{"op", "add"},
                       {"path", "/metadata/finalizers"},
                       {"value", k8s::Json::array({std::string(kPoolProtectionFinalizer)})}});
    }
  } else {
    const std::string at = "/metadata/finalizers/" + std::to_string(index);
    patch.push_back(
        {{"op", "test"}, {"path", at}, {"value", std::string(kPoolProtectionFinalizer)}});
    patch.push_back({{"op", "remove"}, {"path", at}});
  }
  finalizerInFlight_.insert(pool);
  worker_.submit<k8s::ApiResult<k8s::Json>>(
      [this, pool, patch = std::move(patch)] {
        return api_.patch(k8s::resources::kIPAddressPools, ns_, pool, k8s::PatchType::kJsonPatch,
                          patch, "", {.cancel = &worker_.token()});
      },
      [this, pool, inUse](k8s::ApiResult<k8s::Json> r) {
        finalizerInFlight_.erase(pool);
        if (r) {
          util::logWith(*util::getLogger("controller"), spdlog::level::info,
                        inUse ? "pool protection added" : "pool protection removed",
                        {{"pool", pool}, {"finalizer", std::string(kPoolProtectionFinalizer)}});
          return;
        }
        if (r.error().isNotFound()) return;
        util::logWith(*util::getLogger("controller"), spdlog::level::info,
                      "cannot update pool protection; trying again",
                      {{"pool", pool}, {"error", r.error().describe()}});
        markDirty(pool);
      });
  return blocking;
}

}  // namespace ironlb::controller
