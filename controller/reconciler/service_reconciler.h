#pragma once
// ServiceReconciler: the controller's decisions for one Service at a time (docs/services.md,
// docs/allocation-rules.md). Pure: it owns the Allocator and a little memory per Service (which
// failures and deprecated annotations were already reported, why an assignment was cleared) and
// returns what to write and which events to record; the daemon does the I/O.
//
// Lifecycle, driven from the daemon's one logic thread:
//   setPools(valid pools)                      on start and on every valid configuration change
//   restore(service) for every Service         start-up, before any reconcile: re-takes the IPs
//                                              that statuses show, so nothing new can take them
//   reconcile(key, service or nullptr)         on every change of the Service, and again for
//                                              pending Services after IPs were freed
//
// reconcile, for a LoadBalancer of our class:
//   * holds nothing but its status shows IPs (a restore that failed, a pool edit that cleared
//     them, a write that landed after start-up) -> re-take them if still valid, else Normal
//     `ClearAssignment` with the reason;
//   * a requested IP that cannot be read (bad text, annotation and spec.loadBalancerIP both set)
//     -> Warning `AllocationFailed`, or `LoadBalancerFailed` for a Service that holds IPs: it
//     keeps them (a typo never drops an IP in use);
//   * otherwise Allocator::allocate, which keeps valid IPs and re-allocates when the requested
//     IPs/pool, families or sharing changed: `IPAllocated` for new IPs, `ClearAssignment` for
//     given-up ones, `AllocationFailed` (once per distinct message) when nothing fits; Normal
//     `AdditionalAssignFailed` (once per distinct message) when a PreferDualStack Service
//     holds one family and its pool has no free address of the other;
//   * Warning `deprecatedAnnotation` once for every deprecated-prefix annotation it uses;
//   * Warning `conflictingAnnotation` when an annotation is set under both prefixes with values
//     that disagree, naming both values and the one that applies: once per change (a new or
//     changed conflict), not on every reconcile.
// Anything else (deleted, no longer LoadBalancer) releases its IPs; a Service of another
// loadBalancerClass is never touched.
//
// Hold-back (setHoldBack, docs/allocation.md): IPs a Service gives up because it or a pool was
// edited (not because it was deleted) are kept from other Services for the period, and the
// ClearAssignment event says so; undoing the edit within the period restores them. advanceTo
// passes the time in and frees the holds that ran out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/api/service.h"
#include "common/lbconfig/labels.h"
#include "common/lbconfig/pool.h"
#include "common/net/ip_address.h"
#include "common/util/clock.h"
#include "common/util/result.h"
#include "controller/allocator/allocator.h"
#include "controller/reconciler/annotations.h"
#include "controller/reconciler/service_intent.h"

namespace ironlb::reconciler {

// Event reasons users grep for (docs/allocation-rules.md, "Events"): MetalLB's, where the
// meaning is the same.
inline constexpr std::string_view kReasonIpAllocated = "IPAllocated";
inline constexpr std::string_view kReasonClearAssignment = "ClearAssignment";
inline constexpr std::string_view kReasonAllocationFailed = "AllocationFailed";
// The request cannot be used but the Service keeps the IPs it holds (MetalLB: an unreadable
// request from a Service that has IPs).
inline constexpr std::string_view kReasonLoadBalancerFailed = "LoadBalancerFailed";
// PreferDualStack holding one family: the other is not free in its pool (Normal, as MetalLB).
inline constexpr std::string_view kReasonAdditionalAssignFailed = "AdditionalAssignFailed";
inline constexpr std::string_view kReasonDeprecatedAnnotation = "deprecatedAnnotation";
inline constexpr std::string_view kReasonConflictingAnnotation = "conflictingAnnotation";

enum class EventType : uint8_t { kNormal, kWarning };

struct ServiceEvent {
  EventType type = EventType::kNormal;
  std::string reason;
  std::string message;

  friend bool operator==(const ServiceEvent&, const ServiceEvent&) = default;
};

// What the controller wants the Service to show: status.loadBalancer.ingress[].ip in this order,
// and the metallb.io/ip-allocated-from-pool annotation ("" = absent).
struct DesiredStatus {
  std::vector<net::IpAddress> ips;
  std::string pool;

  friend bool operator==(const DesiredStatus&, const DesiredStatus&) = default;
};

struct Decision {
  // False: not ours (deleted, or another class); write nothing. True: make the Service show
  // `desired` (empty for a Service that stopped being a LoadBalancer).
  bool manage = false;
  DesiredStatus desired;
  std::vector<ServiceEvent> events;  // in the order they happened
  bool freedIps = false;             // IPs went back to the pools: pending Services may fit now
  bool pending = false;              // an assignable LoadBalancer left without IPs
  std::vector<std::string> touchedPools;  // pools whose counters may have changed
};

struct PoolsChange {
  std::vector<std::string> cleared;   // Services that lost their IPs: reconcile them
  std::vector<std::string> repooled;  // Services whose IPs now belong to a renamed pool
};

class ServiceReconciler {
 public:
  explicit ServiceReconciler(std::string lbClass = "");

  // Replaces the pools (already validated by lbconfig::build). Assignments the new pools no
  // longer allow are released; their Services report ClearAssignment at their next reconcile.
  Result<PoolsChange> setPools(std::vector<lbconfig::Pool> pools);

  // Start-up: re-takes exactly the IPs in the Service's status, choosing nothing. A Service that
  // is not ours or shows no IPs is skipped (ok). On error the Service holds nothing and its next
  // reconcile reports ClearAssignment with the error, then allocates afresh.
  Status restore(const api::Service& service, const lbconfig::Labels& namespaceLabels);

  // `service` is nullptr when it was deleted. Its status must be the freshest the caller knows
  // (including the controller's own write that the informer has not echoed yet).
  Decision reconcile(std::string_view key, const api::Service* service,
                     const lbconfig::Labels& namespaceLabels);

  const allocator::Allocator& allocator() const { return allocator_; }

  void setHoldBack(util::Duration period) { allocator_.setHoldBack(period); }
  // The current time; true when holds ran out (their IPs are free: retry pending Services).
  // `touchedPools` receives the pools whose counters changed.
  bool advanceTo(util::MonoTime now, std::vector<std::string>* touchedPools = nullptr);

 private:
  // The parts of reconcile, in the order it runs them.
  // Not ours (deleted, another class, no longer a LoadBalancer): release, forget.
  Decision letGo(const std::string& key, const api::Service* service, Scope scope,
                 const std::optional<allocator::Assignment>& before);
  // The Service cannot be described at all (serviceIntent failed): release with hold-back.
  void clearUndescribable(Decision& d, const std::string& key,
                          const std::optional<allocator::Assignment>& before,
                          const std::string& why);
  // Holding nothing: re-take the IPs its status shows, or say why they were cleared.
  void retakeStatusIps(Decision& d, const std::string& key, const api::Service& service,
                       const allocator::ServiceRequest& request);
  // The requested IPs cannot be read: report, and keep what is held (a typo never drops an IP).
  void keepDespiteBadRequest(Decision& d, const std::string& key,
                             const std::optional<allocator::Assignment>& before,
                             const std::string& requestError);
  void allocate(Decision& d, const std::string& key,
                const std::optional<allocator::Assignment>& before,
                const allocator::ServiceRequest& request);
  void reportAllocated(Decision& d, const std::optional<allocator::Assignment>& held,
                       const allocator::AllocationResult& result);
  void forget(const std::string& key);
  void fail(Decision& d, const std::string& key, std::string message,
            std::string_view reason = kReasonAllocationFailed);
  void reportSingleFamily(Decision& d, const std::string& key,
                          const allocator::ServiceRequest& request,
                          const allocator::Assignment& now);
  void reportDeprecated(Decision& d, const std::string& key,
                        const std::vector<std::string>& annotations);
  void reportConflicts(Decision& d, const std::string& key,
                       const std::vector<AnnotationConflict>& conflicts);

  std::string lbClass_;
  allocator::Allocator allocator_;
  // Why a Service lost the IPs its status shows (pool edit, failed restore), until reconcile
  // reports it.
  std::unordered_map<std::string, std::string> clearReasons_;
  // The last AllocationFailed message per Service: a failure is reported once, not per retry.
  std::unordered_map<std::string, std::string> failures_;
  // The last AdditionalAssignFailed message per Service, likewise.
  std::unordered_map<std::string, std::string> singleFamilyReported_;
  // Deprecated annotations already reported per Service.
  std::unordered_map<std::string, std::vector<std::string>> deprecatedReported_;
  // Annotation conflicts already reported per Service (as they were then).
  std::unordered_map<std::string, std::vector<AnnotationConflict>> conflictsReported_;
};

// ["192.0.2.1", "2001:db8::1"], the way events quote IP lists.
std::string quotedIps(const std::vector<net::IpAddress>& ips);

}  // namespace ironlb::reconciler
