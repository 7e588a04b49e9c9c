// EventAggregator.
#include "common/k8s/event_aggregator.h"

#include <algorithm>

namespace ironlb::k8s {

const char* toString(EventType type) {
  return type == EventType::kWarning ? "Warning" : "Normal";
}

double EventAggregator::Bucket::refill(util::MonoTime now, double burst, util::Duration every) {
  if (!started) {
    started = true;
    tokens = burst;
    last = now;
  }
  if (now > last && every > util::Duration::zero()) {
    const double earned = std::chrono::duration<double>(now - last).count() /
                          std::chrono::duration<double>(every).count();
    tokens = std::min(burst, tokens + earned);
    last = now;
  }
  return tokens;
}

template <class T>
T* EventAggregator::Lru<T>::find(const std::string& key) {
  auto it = index.find(key);
  if (it == index.end()) return nullptr;
  order.splice(order.begin(), order, it->second);
  return &*it->second;
}

template <class T>
T& EventAggregator::Lru<T>::insert(std::string key) {
  erase(key);
  order.push_front(T{});
  order.front().key = key;
  index.emplace(std::move(key), order.begin());
  return order.front();
}

template <class T>
void EventAggregator::Lru<T>::erase(const std::string& key) {
  auto it = index.find(key);
  if (it == index.end()) return;
  order.erase(it->second);
  index.erase(it);
}

template <class T>
void EventAggregator::Lru<T>::trim(size_t max) {
  while (index.size() > max) {
    index.erase(order.back().key);
    order.pop_back();
  }
}

EventAggregator::EventAggregator(EventAggregationOptions options) : options_(options) {}

std::string EventAggregator::objectKeyOf(const ObjectReference& o) {
  std::string k;
  for (const std::string* part : {&o.uid, &o.apiVersion, &o.kind, &o.ns, &o.name}) {
    k += *part;
    k.push_back('\x1f');
  }
  return k;
}

std::string EventAggregator::keyOf(const EventRecord& r) {
  std::string k = objectKeyOf(r.object);
  for (const std::string* part : {&r.reason, &r.message}) {
    k += *part;
    k.push_back('\x1f');
  }
  k += toString(r.type);
  return k;
}

EventAggregator::Decision::Limit EventAggregator::takeToken(const EventRecord& record) {
  const std::string key = objectKeyOf(record.object);
  ObjectLimit* object = objects_.find(key);
  if (!object) {
    object = &objects_.insert(key);
    objects_.trim(std::max<size_t>(options_.maxObjects, 1));
  }
  if (object->bucket.refill(record.mono, options_.objectBurst, options_.objectRefillEvery) < 1.0) {
    return Decision::Limit::kObject;
  }
  if (global_.refill(record.mono, options_.globalBurst, options_.globalRefillEvery) < 1.0) {
    return Decision::Limit::kGlobal;
  }
  object->bucket.tokens -= 1.0;
  global_.tokens -= 1.0;
  return Decision::Limit::kNone;
}

EventAggregator::Decision EventAggregator::decide(const EventRecord& record) {
  Decision d;
  const std::string key = keyOf(record);
  Entry* e = entries_.find(key);
  if (e && !e->eventName.empty() && record.mono - e->lastSeen <= options_.window) {
    ++e->count;
    e->lastSeen = record.mono;
    d.count = e->count;
    d.firstTimestamp = e->first;
    d.eventName = e->eventName;
    d.limit = takeToken(record);
    d.kind =
        d.limit == Decision::Limit::kNone ? Decision::Kind::kPatch : Decision::Kind::kDeferRepeat;
    return d;
  }
  d.limit = takeToken(record);
  if (d.limit != Decision::Limit::kNone) {
    d.kind = Decision::Kind::kDropNew;
    return d;
  }
  Entry& fresh = entries_.insert(key);
  fresh.count = 1;
  fresh.first = record.wall;
  fresh.lastSeen = record.mono;
  entries_.trim(std::max<size_t>(options_.maxEntries, 1));
  d.kind = Decision::Kind::kCreate;
  d.count = 1;
  d.firstTimestamp = record.wall;
  return d;
}

void EventAggregator::created(const EventRecord& record, const std::string& eventName) {
  if (Entry* e = entries_.find(keyOf(record))) e->eventName = eventName;
}

void EventAggregator::forget(const EventRecord& record) {
  entries_.erase(keyOf(record));
}

}  // namespace ironlb::k8s
