// EventAggregator.
#include "common/k8s/event_aggregator.h"

#include <algorithm>

namespace ironlb::k8s {

const char* toString(EventType type) {
  return type == EventType::kWarning ? "Warning" : "Normal";
}

EventAggregator::EventAggregator(EventAggregationOptions options)
    : options_(options), tokens_(options.burst) {}

std::string EventAggregator::keyOf(const EventRecord& r) {
  const ObjectReference& o = r.object;
  std::string k;
  for (const std::string* part :
       {&o.uid, &o.apiVersion, &o.kind, &o.ns, &o.name, &r.reason, &r.message}) {
    k += *part;
    k.push_back('\x1f');
  }
  k += toString(r.type);
  return k;
}

bool EventAggregator::takeToken(util::MonoTime now) {
  if (!refillStarted_) {
    refillStarted_ = true;
    lastRefill_ = now;
  }
  if (now > lastRefill_ && options_.refillEvery > util::Duration::zero()) {
    const double earned = std::chrono::duration<double>(now - lastRefill_).count() /
                          std::chrono::duration<double>(options_.refillEvery).count();
    tokens_ = std::min(options_.burst, tokens_ + earned);
    lastRefill_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void EventAggregator::evictIfFull() {
  while (entries_.size() > options_.maxEntries) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](auto& a, auto& b) {
      return a.second.lastSeen < b.second.lastSeen;
    });
    entries_.erase(oldest);
  }
}

EventAggregator::Decision EventAggregator::decide(const EventRecord& record) {
  Decision d;
  const std::string key = keyOf(record);
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.eventName.empty() &&
      record.mono - it->second.lastSeen <= options_.window) {
    Entry& e = it->second;
    ++e.count;
    e.lastSeen = record.mono;
    d.count = e.count;
    d.firstTimestamp = e.first;
    d.eventName = e.eventName;
    d.kind = takeToken(record.mono) ? Decision::Kind::kPatch : Decision::Kind::kDeferRepeat;
    return d;
  }
  if (!takeToken(record.mono)) {
    d.kind = Decision::Kind::kDropNew;
    return d;
  }
  Entry& e = entries_[key];
  e = Entry{"", 1, record.wall, record.mono};
  evictIfFull();
  d.kind = Decision::Kind::kCreate;
  d.count = 1;
  d.firstTimestamp = record.wall;
  return d;
}

void EventAggregator::created(const EventRecord& record, const std::string& eventName) {
  auto it = entries_.find(keyOf(record));
  if (it != entries_.end()) it->second.eventName = eventName;
}

void EventAggregator::forget(const EventRecord& record) {
  entries_.erase(keyOf(record));
}

}  // namespace ironlb::k8s
