#include "controller/reconciler/service_reconciler.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/util/strings.h"
#include "controller/allocator/request_rules.h"
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
  if (before) d.touchedPools.push_back(before->pool);
  if (after && (!before || after->pool != before->pool)) d.touchedPools.push_back(after->pool);
}

}  // namespace

std::string quotedIps(const std::vector<net::IpAddress>& ips) {
  return "[" +
         util::joinList(ips, ", ",
                        [](const net::IpAddress& ip) { return '"' + ip.toString() + '"'; }) +
         "]";
}

ServiceReconciler::ServiceReconciler(std::string lbClass) : lbClass_(std::move(lbClass)) {}

Result<PoolsChange> ServiceReconciler::setPools(std::vector<lbconfig::Pool> pools) {
  auto report = allocator_.setPools(std::move(pools));
  if (!report) return makeError(report.error());
  PoolsChange change;
  for (auto& c : report->cleared) {
    clearReasons_[c.service] = cleared(c.previous.ips, c.reason) + heldNote(allocator_.holdBack());
    change.cleared.push_back(std::move(c.service));
  }
  for (auto& r : report->repooled)
    change.repooled.push_back(std::move(r.service));
  return change;
}

Status ServiceReconciler::restore(const api::Service& service,
                                  const lbconfig::Labels& namespaceLabels) {
  if (scopeOf(service, lbClass_) != Scope::kLoadBalancer) return {};
  const std::string key = serviceKey(service);
  auto ips = statusIps(service);
  if (ips && ips->empty()) return {};
  std::string why;
  if (!ips) {
    why = ips.error();
  } else if (auto intent = serviceIntent(service, namespaceLabels); !intent) {
    why = "IP " + quotedIps(*ips) + " in status cannot be kept: " + intent.error();
  } else if (auto r = allocator_.restore(intent->request, *ips); !r) {
    why = "IP " + quotedIps(*ips) + " in status cannot be kept: " + r.error();
  }
  if (why.empty()) return {};
  allocator_.release(key);
  clearReasons_[key] = why;
  return makeError(std::move(why));
}

Decision ServiceReconciler::reconcile(std::string_view keyView, const api::Service* service,
                                      const lbconfig::Labels& namespaceLabels) {
  const std::string key(keyView);
  const std::optional<allocator::Assignment> before = allocator_.assignment(key);
  const Scope scope = service ? scopeOf(*service, lbClass_) : Scope::kOtherClass;
  if (scope != Scope::kLoadBalancer) return letGo(key, service, scope, before);

  Decision d;
  d.manage = true;
  auto intent = serviceIntent(*service, namespaceLabels);
  if (!intent) {
    clearUndescribable(d, key, before, intent.error());
    return d;
  }
  reportDeprecated(d, key, intent->deprecatedAnnotations);
  reportConflicts(d, key, intent->annotationConflicts);
  if (!before) retakeStatusIps(d, key, *service, intent->request);
  clearReasons_.erase(key);

  if (!intent->requestError.empty()) {
    keepDespiteBadRequest(d, key, before, intent->requestError);
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
  d.freedIps =
      allocator_.release(key, service ? allocator::Release::kHold : allocator::Release::kFree)
          .has_value();
  if (!service) {
    // Deleted: what earlier edits held back for it is free too.
    for (const auto& ip : allocator_.dropHolds(key)) {
      d.freedIps = true;
      if (auto pool = allocator_.poolOf(ip)) d.touchedPools.push_back(std::move(*pool));
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
  d.freedIps = allocator_.release(key, allocator::Release::kHold).has_value();
  if (d.freedIps) {
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
  if (auto reason = clearReasons_.find(key); reason != clearReasons_.end()) {
    d.events.push_back(normal(kReasonClearAssignment, std::move(reason->second)));
    clearReasons_.erase(reason);
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
                                              const std::string& requestError) {
  if (auto held = allocator_.assignment(key)) {
    fail(d, key, requestError + "; keeping IP " + quotedIps(held->ips), kReasonLoadBalancerFailed);
    d.desired = {held->ips, held->pool};
  } else {
    fail(d, key, requestError);
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
      d.freedIps = true;
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
    d.freedIps = true;
    d.events.push_back(normal(kReasonClearAssignment,
                              cleared(result->released, result->releaseReason) +
                                  (result->heldBack ? heldNote(allocator_.holdBack()) : "")));
  }
  reportAllocated(d, held, *result);
  reportSingleFamily(d, key, request, now);
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

bool ServiceReconciler::advanceTo(util::MonoTime now, std::vector<std::string>* touchedPools) {
  const std::vector<net::IpAddress> freed = allocator_.advanceTo(now);
  if (touchedPools) {
    for (const auto& ip : freed) {
      if (auto pool = allocator_.poolOf(ip)) touchedPools->push_back(std::move(*pool));
    }
  }
  return !freed.empty();
}

void ServiceReconciler::forget(const std::string& key) {
  clearReasons_.erase(key);
  failures_.erase(key);
  singleFamilyReported_.erase(key);
  deprecatedReported_.erase(key);
  conflictsReported_.erase(key);
}

void ServiceReconciler::fail(Decision& d, const std::string& key, std::string message,
                             std::string_view reason) {
  std::string& last = failures_[key];
  std::string text = reason == kReasonLoadBalancerFailed
                         ? "invalid requested loadbalancer IPs: " + std::move(message)
                         : "Failed to allocate IP for \"" + key + "\": " + std::move(message);
  if (last == text) return;
  last = text;
  d.events.push_back(warning(reason, std::move(text)));
}

void ServiceReconciler::reportSingleFamily(Decision& d, const std::string& key,
                                           const allocator::ServiceRequest& request,
                                           const allocator::Assignment& now) {
  // The allocator adds the missing family when the pool has it free (Outcome::kExtended);
  // still one IP here means it does not.
  if (request.familyPolicy != allocator::FamilyPolicy::kPreferDualStack ||
      !allocator::wantsDualStack(request) || !request.requestedIps.empty() || now.ips.size() != 1) {
    singleFamilyReported_.erase(key);
    return;
  }
  const net::Family missing =
      now.ips[0].family() == request.families[0] ? request.families[1] : request.families[0];
  std::string text = "cannot assign additional IP in PreferDualStack: pool " + now.pool +
                     " has no free " + std::string(net::familyName(missing)) + " address";
  std::string& last = singleFamilyReported_[key];
  if (last == text) return;
  last = text;
  d.events.push_back(normal(kReasonAdditionalAssignFailed, std::move(text)));
}

void ServiceReconciler::reportDeprecated(Decision& d, const std::string& key,
                                         const std::vector<std::string>& annotations) {
  if (annotations.empty()) {
    deprecatedReported_.erase(key);
    return;
  }
  std::vector<std::string>& reported = deprecatedReported_[key];
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
    conflictsReported_.erase(key);
    return;
  }
  std::vector<AnnotationConflict>& reported = conflictsReported_[key];
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
