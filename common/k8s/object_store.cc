// ObjectStore.
#include "common/k8s/object_store.h"

#include <set>

#include "common/k8s/object_meta.h"

namespace ironlb::k8s {

std::optional<StoreDelta> ObjectStore::apply(WatchEventType type, Json object) {
  const std::string key = objectKey(object);
  if (nameOf(object).empty()) return std::nullopt;
  auto it = items_.find(key);
  switch (type) {
    case WatchEventType::kAdded:
    case WatchEventType::kModified: {
      if (it == items_.end()) {
        items_.emplace(key, std::move(object));
        return StoreDelta{StoreDelta::Kind::kAdd, key, nullptr};
      }
      if (resourceVersionOf(it->second) == resourceVersionOf(object)) return std::nullopt;
      Json old = std::exchange(it->second, std::move(object));
      return StoreDelta{StoreDelta::Kind::kUpdate, key, std::move(old)};
    }
    case WatchEventType::kDeleted: {
      if (it == items_.end()) return std::nullopt;
      Json old = std::move(it->second);
      items_.erase(it);
      return StoreDelta{StoreDelta::Kind::kDelete, key, std::move(old)};
    }
    default:
      return std::nullopt;
  }
}

std::vector<StoreDelta> ObjectStore::replace(std::vector<Json> items) {
  std::vector<StoreDelta> deltas;
  std::set<std::string> seen;
  for (Json& object : items) {
    if (nameOf(object).empty()) continue;
    std::string key = objectKey(object);
    seen.insert(key);
    if (auto d = apply(WatchEventType::kModified, std::move(object))) {
      deltas.push_back(std::move(*d));
    }
  }
  for (auto it = items_.begin(); it != items_.end();) {
    if (seen.count(it->first) == 0) {
      deltas.push_back({StoreDelta::Kind::kDelete, it->first, std::move(it->second)});
      it = items_.erase(it);
    } else {
      ++it;
    }
  }
  return deltas;
}

const Json* ObjectStore::get(const std::string& key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

}  // namespace ironlb::k8s
