#pragma once
// EventAggregator: decides, for each event a daemon wants to record, whether to create a new
// core/v1 Event, bump the count of the one already written (PATCH count/lastTimestamp), or drop
// it. Pure: time is passed in with each record.
//
// Aggregation: the same involved object + type + reason + message seen again within `window`
// of its previous occurrence updates the existing Event instead of creating another.
// Rate limit: a token bucket (`burst` tokens, one more every `refillEvery`) across all writes,
// so a hot loop cannot flood the API server. A repeat that finds no token is still counted
// locally; the next write for it carries the full count. A new event without a token is
// dropped (and reported as such).

#include <chrono>
#include <map>
#include <string>

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
  double burst = 25;
  util::Duration refillEvery = std::chrono::seconds(1);
  size_t maxEntries = 4096;  // remembered recent events; the least recently seen go first
};

class EventAggregator {
 public:
  explicit EventAggregator(EventAggregationOptions options = {});

  struct Decision {
    enum class Kind { kCreate, kPatch, kDropNew, kDeferRepeat };
    Kind kind = Kind::kDropNew;
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

 private:
  struct Entry {
    std::string eventName{};
    int count = 0;
    util::WallTime first{};
    util::MonoTime lastSeen{};
  };
  static std::string keyOf(const EventRecord& r);
  bool takeToken(util::MonoTime now);
  void evictIfFull();

  EventAggregationOptions options_;
  double tokens_;
  util::MonoTime lastRefill_{};
  bool refillStarted_ = false;
  std::map<std::string, Entry> entries_;
};

}  // namespace ironlb::k8s
