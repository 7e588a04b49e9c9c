#pragma once
// EventAggregator: decides, for each event a daemon wants to record, whether to create a new
// core/v1 Event, bump the count of the one already written (PATCH count/lastTimestamp), or drop
// it. Pure: time is passed in with each record.
//
// Aggregation: the same involved object + type + reason + message seen again within `window`
// of its previous occurrence updates the existing Event instead of creating another.
//
// Rate limits, two token buckets; a write needs a token from both:
//   * per involved object (client-go's spam filter, which MetalLB users know): `objectBurst`
//     writes, then one more every `objectRefillEvery`. A hot loop on one object cannot flood the
//     API server, and it cannot starve the other objects either: in a burst of 10,000 new
//     Services every Service gets its own Event.
//   * across all objects, only against floods (a loop over thousands of objects): `globalBurst`,
//     then one more every `globalRefillEvery`. The default burst is large enough that a burst of
//     10,000 Services all get their Event.
// A repeat that finds no token is still counted locally; the next write for it carries the full
// count. A new event without a token is dropped, and the decision says which limit refused it.
//
// Memory is bounded: at most `maxEntries` recent events and `maxObjects` objects' buckets are
// remembered, the least recently seen go first (O(1)). An object whose bucket was forgotten
// starts again with a full burst; the global ceiling still holds.

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "common/util/clock.h"

namespace ironlb::k8s {

struct ObjectReference {
  std::string apiVersion{};
  std::string kind{};
  std::string ns{};  // "" for cluster-scoped objects
  std::string name{};
  std::string uid{};
  std::string resourceVersion{};
};

enum class EventType { kNormal, kWarning };
const char* toString(EventType type);

struct EventRecord {
  ObjectReference object{};
  EventType type = EventType::kNormal;
  std::string reason{};
  std::string message{};
  util::MonoTime mono{};  // when it happened (monotonic, for windows and rate limits)
  util::WallTime wall{};  // when it happened (for the Event's timestamps)
};

struct EventAggregationOptions {
  util::Duration window = std::chrono::minutes(10);
  // Per object: client-go's defaults (a burst of 25, then one every 5 minutes).
  double objectBurst = 25;
  util::Duration objectRefillEvery = std::chrono::minutes(5);
  // Across all objects: a burst of 20,000, then 50 per second.
  double globalBurst = 20000;
  util::Duration globalRefillEvery = std::chrono::milliseconds(20);
  size_t maxEntries = 4096;  // remembered recent events
  size_t maxObjects = 4096;  // remembered per-object buckets
};

class EventAggregator {
 public:
  explicit EventAggregator(EventAggregationOptions options = {});

  struct Decision {
    enum class Kind { kCreate, kPatch, kDropNew, kDeferRepeat };
    // Which bucket had no token (kDropNew, kDeferRepeat).
    enum class Limit { kNone, kObject, kGlobal };
    Kind kind = Kind::kDropNew;
    Limit limit = Limit::kNone;
    std::string eventName{};  // kPatch: the Event to update
    int count = 1;            // the count to write
    util::WallTime firstTimestamp{};
  };
  Decision decide(const EventRecord& record);
  // After a successful create: later repeats patch this Event.
  void created(const EventRecord& record, const std::string& eventName);
  // The Event could not be created or has vanished (404 on patch): forget it, so the next
  // occurrence creates a new one.
  void forget(const EventRecord& record);
  size_t size() const { return entries_.size(); }
  size_t objects() const { return objects_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    util::MonoTime last{};
    bool started = false;
    // Adds what was earned since the last call (capped at `burst`); returns the tokens now.
    double refill(util::MonoTime now, double burst, util::Duration every);
  };
  struct Entry {
    std::string key{};
    std::string eventName{};
    int count = 0;
    util::WallTime first{};
    util::MonoTime lastSeen{};
  };
  struct ObjectLimit {
    std::string key{};
    Bucket bucket{};
  };
  // Front = most recently seen.
  template <class T>
  struct Lru {
    std::list<T> order;
    std::unordered_map<std::string, typename std::list<T>::iterator> index;
    T* find(const std::string& key);  // and mark it most recent
    T& insert(std::string key);       // as most recent; the caller trims
    void erase(const std::string& key);
    void trim(size_t max);
    size_t size() const { return index.size(); }
  };
  static std::string keyOf(const EventRecord& r);
  static std::string objectKeyOf(const ObjectReference& o);
  // Takes one token from the object's bucket and the global one, or none (and says which
  // refused).
  Decision::Limit takeToken(const EventRecord& record);

  EventAggregationOptions options_;
  Bucket global_;
  Lru<Entry> entries_;
  Lru<ObjectLimit> objects_;
};

}  // namespace ironlb::k8s
