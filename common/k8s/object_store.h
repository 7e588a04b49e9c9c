#pragma once
// ObjectStore: an informer's local cache (key "namespace/name" -> object) and the rules that
// turn watch events and relists into add/update/delete notifications. Pure: no threads, no I/O.
//
// - apply(): one watch event. ADDED of a known key or MODIFIED of an unknown key are treated
//   as what they are against the store (update / add). An event whose resourceVersion equals
//   the stored one changes nothing (the server may replay after a re-watch).
// - replace(): a full relist (initial, or after 410 Gone). Emits the difference against the
//   store: adds for new keys, updates where the resourceVersion changed, deletes for keys that
//   vanished (the delete carries the last object we knew).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/api_client.h"

namespace ironlb::k8s {

struct StoreDelta {
  enum class Kind { kAdd, kUpdate, kDelete };
  Kind kind{};
  std::string key{};
  Json old{};  // previous object for kUpdate/kDelete; null for kAdd
};

class ObjectStore {
 public:
  // For kAdded/kModified/kDeleted; other types (and objects without a name) change nothing.
  std::optional<StoreDelta> apply(WatchEventType type, Json object);
  std::vector<StoreDelta> replace(std::vector<Json> items);

  const Json* get(const std::string& key) const;
  const std::map<std::string, Json>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::map<std::string, Json> items_;
};

}  // namespace ironlb::k8s
