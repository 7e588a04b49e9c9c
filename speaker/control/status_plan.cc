// StatusPlan: diff of announced Services against owned ServiceL2Status objects.
#include "speaker/control/status_plan.h"

#include <algorithm>
#include <set>

namespace ironlb::control {

std::optional<StatusOp> nextStatusOp(const std::string& node, const AnnouncedServices& desired,
                                     const std::vector<OwnedStatus>& owned) {
  // Keep, per wanted Service, the first owned object (by name, deterministic); the rest go.
  std::map<ServiceRef, const OwnedStatus*> kept;
  std::vector<const OwnedStatus*> sorted;
  for (const auto& o : owned)
    sorted.push_back(&o);
  std::sort(sorted.begin(), sorted.end(),
            [](const OwnedStatus* a, const OwnedStatus* b) { return a->name < b->name; });
  for (const OwnedStatus* o : sorted) {
    const bool wanted = desired.count(o->service) != 0;
    if (!wanted || kept.count(o->service) != 0)
      return StatusOp{StatusOp::Kind::kDelete, o->service, o->name, o->uid, {}};
    kept[o->service] = o;
  }
  for (const auto& [service, items] : desired) {
    if (kept.count(service) == 0) return StatusOp{StatusOp::Kind::kCreate, service, "", "", items};
  }
  for (const auto& [service, items] : desired) {
    const OwnedStatus* o = kept.at(service);
    if (!o->hasStatus || o->statusNode != node || o->items != items)
      return StatusOp{StatusOp::Kind::kUpdateStatus, service, o->name, o->uid, items};
  }
  return std::nullopt;
}

}  // namespace ironlb::control
