#include "controller/reconciler/service_reconciler.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/util/strings.h"
#include "controller/reconciler/annotations.h"
#include "controller/reconciler/service_intent.h"

namespace ironlb::reconciler {
namespace {

ServiceEvent normal(std::string_view reason, std::string message) {
  return {EventType::kNormal, std::string(reason), std::move(message)};
}

ServiceEvent warning(std::string_view reason, std::string message) {
  return {EventType::kWarning, std::string(reason), std::move(message)};
}

std::string cleared(const std::vector<net::IpAddress>& ips, const std::string& why) {
  return "Cleared IP " + quotedIps(ips) + ": " + why;
}

// What a ClearAssignment adds when the IPs are held back for the Service.
std::string heldNote(util::Duration period) {
  if (period <= util::Duration::zero()) return {};
  const auto s = std::chrono::ceil<std::chrono::seconds>(period).count();
  return "; held back for this Service for " + std::to_string(s) +
         " s: undo the change to get the same IP back";
}

// The pools whose counters an assignment change touched.
void notePools(Decision& d, const std::optional<allocator::Assignment>& before,
               const std::optional<allocator::Assignment>& after) {
  if (before == after) return;
  if (before) d.touched_pools.push_back(before->pool);
  if (after && (!before || after->pool != before->pool)) d.touched_pools.push_back(after->pool);
}

}  // namespace

std::string quotedIps(const std::vector<net::IpAddress>& ips) {
  return "[" +
         util::joinList(ips, ", ",
                        [](const net::IpAddress& ip) { return '"' + ip.toString() + '"'; }) +
         "]";
}

ServiceReconciler::ServiceReconciler(std::string lb_class) : lb_class_(std::move(lb_class)) {}

Result<PoolsChange> ServiceReconciler::setPools(std::vector<lbconfig::Pool> pools) {
  auto report = allocator_.setPools(std::move(pools));
  if (!report) return makeError(report.error());
  PoolsChange change;
  for (auto& c : report->cleared) {
    clear_reasons_[c.service] = cleared(c.previous.ips, c.reason) + heldNote(allocator_.holdBack());
    change.cleared.push_back(std::move(c.service));
  }
  for (auto& r : report->repooled)
    change.repooled.push_back(std::move(r.service));
  return change;
}

Status ServiceReconciler::restore(const api::Service& service,
                                  const lbconfig::Labels& namespace_labels) {
  if (scopeOf(service, lb_class_) != Scope::kLoadBalancer) return {};
  const std::string key = serviceKey(service);
  auto ips = statusIps(service);
  if (ips && ips->empty()) return {};
  std::string why;
  if (!ips) {
    why = ips.error();
  } else if (auto intent = serviceIntent(service, namespace_labels); !intent) {
    why = "IP " + quotedIps(*ips) + " in status cannot be kept: " + intent.error();
  } else if (auto r = allocator_.restore(intent->request, *ips); !r) {
    why = "IP " + quotedIps(*ips) + " in status cannot be kept: " + r.error();
  }
  if (why.empty()) return {};
  allocator_.release(key);
  clear_reasons_[key] = why;
  return makeError(std::move(why));
}

Decision ServiceReconciler::reconcile(std::string_view key_view, const api::Service* service,
                                      const lbconfig::Labels& namespace_labels) {
  const std::string key(key_view);
  const std::optional<allocator::Assignment> before = allocator_.assignment(key);
  const Scope scope = service ? scopeOf(*service, lb_class_) : Scope::kOtherClass;
  if (scope != Scope::kLoadBalancer) return letGo(key, service, scope, before);

  Decision d;
  d.manage = true;
  auto intent = serviceIntent(*service, namespace_labels);
  if (!intent) {
    clearUndescribable(d, key, before, intent.error());
    return d;
  }
  reportDeprecated(d, key, intent->deprecated_annotations);
  reportConflicts(d, key, intent->annotation_conflicts);
  if (!before) retakeStatusIps(d, key, *service, intent->request);
  clear_reasons_.erase(key);

  if (!intent->request_error.empty()) {
    keepDespiteBadRequest(d, key, before, intent->request_error);
  } else {
    allocate(d, key, before, intent->request);
  }
  return d;
}

Decision ServiceReconciler::letGo(const std::string& key, const api::Service* service, Scope scope,
                                  const std::optional<allocator::Assignment>& before) {
  Decision d;
  // Deleted: give everything back. Another class, or no longer a LoadBalancer: an edit, so
  // the IPs are held back for the Service (docs/allocation.md).
  d.freed_ips =
      allocator_.release(key, service ? allocator::Release::kHold : allocator::Release::kFree)
          .has_value();
  if (!service) {
    // Deleted: what earlier edits held back for it is free too.
    for (const auto& ip : allocator_.dropHolds(key)) {
      d.freed_ips = true;
      if (auto pool = allocator_.poolOf(ip)) d.touched_pools.push_back(std::move(*pool));
    }
  }
  forget(key);
  d.manage = service && scope == Scope::kNotLoadBalancer;
  notePools(d, before, std::nullopt);
  return d;
}

void ServiceReconciler::clearUndescribable(Decision& d, const std::string& key,
                                           const std::optional<allocator::Assignment>& before,
                                           const std::string& why) {
  d.freed_ips = allocator_.release(key, allocator::Release::kHold).has_value();
  if (d.freed_ips) {
    d.events.push_back(normal(kReasonClearAssignment,
                              cleared(before->ips, why) + heldNote(allocator_.holdBack())));
  }
  fail(d, key, why);
  d.pending = true;
  notePools(d, before, std::nullopt);
}

void ServiceReconciler::retakeStatusIps(Decision& d, const std::string& key,
                                        const api::Service& service,
                                        const allocator::ServiceRequest& request) {
  // Holding nothing while the status shows IPs: re-take them unless we know they are invalid.
  if (auto reason = clear_reasons_.find(key); reason != clear_reasons_.end()) {
    d.events.push_back(normal(kReasonClearAssignment, std::move(reason->second)));
    clear_reasons_.erase(reason);
  } else if (auto ips = statusIps(service); !ips) {
    d.events.push_back(normal(kReasonClearAssignment, ips.error()));
  } else if (!ips->empty()) {
    if (auto r = allocator_.restore(request, *ips); !r) {
      d.events.push_back(
          normal(kReasonClearAssignment,
                 "IP " + quotedIps(*ips) + " in status cannot be kept: " + r.error()));
    }
  }
}

void ServiceReconciler::keepDespiteBadRequest(Decision& d, const std::string& key,
                                              const std::optional<allocator::Assignment>& before,
                                              const std::string& request_error) {
  if (auto held = allocator_.assignment(key)) {
    fail(d, key, request_error + "; keeping IP " + quotedIps(held->ips));
    d.desired = {held->ips, held->pool};
  } else {
    fail(d, key, request_error);
    d.pending = true;
  }
  notePools(d, before, allocator_.assignment(key));
}

void ServiceReconciler::allocate(Decision& d, const std::string& key,
                                 const std::optional<allocator::Assignment>& before,
                                 const allocator::ServiceRequest& request) {
  const auto held = allocator_.assignment(key);
  auto result = allocator_.allocate(request);
  if (!result) {
    if (held) {
      d.freed_ips = true;
      d.events.push_back(normal(kReasonClearAssignment, cleared(held->ips, result.error()) +
                                                            heldNote(allocator_.holdBack())));
    }
    fail(d, key, result.error());
    d.pending = true;
    notePools(d, before, std::nullopt);
    return;
  }
  failures_.erase(key);
  const allocator::Assignment& now = result->assignment;
  if (!result->released.empty()) {
    d.freed_ips = true;
    d.events.push_back(normal(kReasonClearAssignment,
                              cleared(result->released, result->release_reason) +
                                  (result->held_back ? heldNote(allocator_.holdBack()) : "")));
  }
  reportAllocated(d, held, *result);
  d.desired = {now.ips, now.pool};
  notePools(d, before, now);
}

void ServiceReconciler::reportAllocated(Decision& d,
                                        const std::optional<allocator::Assignment>& held,
                                        const allocator::AllocationResult& result) {
  const allocator::Assignment& now = result.assignment;
  switch (result.outcome) {
    case allocator::Outcome::kUnchanged:
    case allocator::Outcome::kReduced:
      break;
    case allocator::Outcome::kExtended: {
      std::vector<net::IpAddress> added;
      for (const auto& ip : now.ips) {
        if (!held || std::find(held->ips.begin(), held->ips.end(), ip) == held->ips.end()) {
          added.push_back(ip);
        }
      }
      d.events.push_back(normal(kReasonIpAllocated, "Assigned additional IP " + quotedIps(added) +
                                                        " from pool " + now.pool));
      break;
    }
    case allocator::Outcome::kAllocated:
      d.events.push_back(normal(kReasonIpAllocated,
                                "Assigned IP " + quotedIps(now.ips) + " from pool " + now.pool));
      break;
  }
}

bool ServiceReconciler::advanceTo(util::MonoTime now, std::vector<std::string>* touched_pools) {
  const std::vector<net::IpAddress> freed = allocator_.advanceTo(now);
  if (touched_pools) {
    for (const auto& ip : freed) {
      if (auto pool = allocator_.poolOf(ip)) touched_pools->push_back(std::move(*pool));
    }
  }
  return !freed.empty();
}

void ServiceReconciler::forget(const std::string& key) {
  clear_reasons_.erase(key);
  failures_.erase(key);
  deprecated_reported_.erase(key);
  conflicts_reported_.erase(key);
}

void ServiceReconciler::fail(Decision& d, const std::string& key, std::string message) {
  std::string& last = failures_[key];
  if (last == message) return;
  last = message;
  d.events.push_back(warning(kReasonAllocationFailed,
                             "Failed to allocate IP for \"" + key + "\": " + std::move(message)));
}

void ServiceReconciler::reportDeprecated(Decision& d, const std::string& key,
                                         const std::vector<std::string>& annotations) {
  if (annotations.empty()) {
    deprecated_reported_.erase(key);
    return;
  }
  std::vector<std::string>& reported = deprecated_reported_[key];
  for (const std::string& annotation : annotations) {
    if (std::find(reported.begin(), reported.end(), annotation) != reported.end()) continue;
    const std::string name = annotation.substr(kDeprecatedAnnotationPrefix.size());
    d.events.push_back(warning(kReasonDeprecatedAnnotation, "Service uses deprecated annotation " +
                                                                annotation + "; use " +
                                                                annotationKey(name) + " instead"));
  }
  reported = annotations;
}

void ServiceReconciler::reportConflicts(Decision& d, const std::string& key,
                                        const std::vector<AnnotationConflict>& conflicts) {
  if (conflicts.empty()) {
    conflicts_reported_.erase(key);
    return;
  }
  std::vector<AnnotationConflict>& reported = conflicts_reported_[key];
  for (const AnnotationConflict& c : conflicts) {
    if (std::find(reported.begin(), reported.end(), c) != reported.end()) continue;
    d.events.push_back(warning(kReasonConflictingAnnotation,
                               "Service sets " + c.used.key + "=\"" + c.used.value + "\" and " +
                                   c.ignored.key + "=\"" + c.ignored.value + "\"; using " +
                                   c.used.key + "=\"" + c.used.value + "\" (remove " +
                                   c.ignored.key + ")"));
  }
  reported = conflicts;
}

}  // namespace ironlb::reconciler
