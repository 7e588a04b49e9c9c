#pragma once
// Allocator: assigns external IPs from IPAddressPools to LoadBalancer Services
// (docs/allocation-rules.md). A pure, deterministic core: no I/O, no clock, no threads. The
// controller drives it from one thread: setPools on every pool/namespace change, restore for every
// Service that already has IPs in its status at start-up, then allocate/release as Services change.
//
// Order of attempts for a Service without IPs:
//   1. requested IPs (exactly those, or fail; never taken from another Service unless sharing
//      is compatible); they must lie in one pool, which must admit the Service and, when the
//      Service names a pool too, be that pool;
//   2. the named pool (address-pool; autoAssign ignored, serviceAllocation still checked);
//   3. automatic: the autoAssign pools whose serviceAllocation says something and admits the
//      Service, by priority (0 = unset last), among equal priorities those that select the
//      Service (namespaces, namespaceSelectors, serviceSelectors) before those with only a
//      priority, then name; then the other autoAssign pools by name.
// Inside a pool: ranges in spec order, addresses ascending, first usable address wins; an
// address already shared compatibly is usable and competes in that same order.
// Dual stack (MetalLB's findBestPoolForService): SingleStack takes one IP of the primary
// family from the first pool that has one; RequireDualStack one of each from the first pool
// that has both; PreferDualStack both from the first pool that has both, else the primary
// family from the first pool that has it, else the secondary family. Each of the two automatic
// groups is searched on its own, the constrained group first.
//
// Invariants the controller can rely on:
//   * an IP never moves while its assignment stays valid: allocate keeps what a Service holds
//     when it still satisfies the request (a dual-stack Service turned single-stack keeps its
//     primary-family IP; MetalLB clears both and re-allocates); restore never picks, it only
//     re-takes;
//   * after any failed allocate the Service holds no IPs (like MetalLB, which clears the status
//     before re-allocating); a failed restore or setPools changes nothing;
//   * after setPools every remaining assignment is valid for the new pools;
//   * with a hold-back period set (setHoldBack), an address a Service gives up because of an
//     edit (allocate releasing it, setPools clearing it, release(kHold)) is taken by no other
//     Service until the period has passed (advanceTo), and the Service takes it back first when
//     it fits the Service again: undoing the edit restores the address (docs/allocation.md);
//   * a deleting pool (Pool::deleting) keeps its holders and gives out nothing new.
//
// Differences from MetalLB (deliberate):
//   * equal-priority pools are tried in a fixed order (selecting the Service first, as MetalLB
//     does, then by name), not in random map order;
//   * a pool whose serviceAllocation holds only a priority takes part in automatic allocation
//     (MetalLB never auto-uses a pool with any serviceAllocation unless it also names
//     namespaces or selectors); it admits every Service at that priority. A present but empty
//     serviceAllocation makes a pool an ordinary autoAssign pool (MetalLB: never automatic);
//   * a PreferDualStack Service may request a single IP (MetalLB requires one per family);
//   * addresses given up because of an edit are held back for their Service (setHoldBack), and
//     a deleting pool keeps its holders; MetalLB frees at once and has no pool protection
//     (docs/allocation.md);
//   * setPools itself clears assignments whose pool no longer admits the Service; MetalLB clears
//     them one Service at a time when the controller next reconciles it (Assign fails on the
//     serviceAllocation check), so the outcome is the same but ironlb reports it in one place.
//
// Cost (n = IPs in use, r = ranges, p = candidate pools, g = IPs carrying the requesting
// Service's (sharing key, backend key)):
//   allocate  O(p + log n + g): each pool answers "first free address of a family, ranges in
//             spec order" in O(1) from its ordered set of ranges that still have space, and
//             avoidBuggyIPs skipping is O(1) whatever the fragmentation (RangeOccupancy);
//             taking the address is O(log n) in a two-level interval array (IntervalSet);
//             g only for Services with a sharing key (compatible shared IPs compete with the
//             first free address; port clashes are checked per shared IP);
//   release   O(log n); restore O(log n + log r); setPools O(n log n + r log r).
// Memory: ~560 bytes per assigned Service (hash-map nodes, interval entry, labels kept for
// re-checking serviceAllocation), independent of pool size: a /64 or ::/0 pool costs the same
// as a /24.

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/lbconfig/pool.h"
#include "common/util/clock.h"
#include "common/util/result.h"
#include "controller/allocator/address_space.h"
#include "controller/allocator/allocation.h"
#include "controller/allocator/hold_back.h"
#include "controller/allocator/ip_list.h"
#include "controller/allocator/ip_table.h"
#include "controller/allocator/service_request.h"
#include "controller/allocator/service_state.h"

namespace ironlb::allocator {

// How release() lets the addresses go: free at once (the Service is gone), or held back for the
// Service (it changed; undoing the change should give the same addresses back).
enum class Release : uint8_t { kFree, kHold };

class Allocator {
 public:
  Allocator() = default;
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // Replaces the pools. Assignments whose IPs left every pool, landed in two different pools,
  // became forbidden by avoidBuggyIPs, or whose pool no longer admits the Service are released
  // and listed; the others keep their IPs and follow their IPs into renamed or new pools
  // (listed in `repooled`). Fails without changing anything on duplicate names or overlapping
  // ranges.
  Result<SetPoolsReport> setPools(std::vector<lbconfig::Pool> pools);

  // Gives the Service IPs, or keeps the ones it holds when they still satisfy the request
  // (requested IPs/pool, families, serviceAllocation, sharing). Otherwise releases them and
  // allocates afresh. On error the Service holds nothing.
  Result<AllocationResult> allocate(const ServiceRequest& request);

  // Start-up: re-takes exactly `ips` (the Service's status) without choosing anything. Succeeds
  // whenever the IPs fit the Service's families, lie in one pool that admits the Service and
  // allows them (avoidBuggyIPs), and do not conflict with other holders. Requested IPs/pool are
  // not compared here: a later allocate does that. Idempotent; on error nothing changes.
  Result<AllocationResult> restore(const ServiceRequest& request,
                                   const std::vector<net::IpAddress>& ips);

  // Releases whatever the Service holds; returns it (nullopt when it held nothing).
  std::optional<Assignment> release(std::string_view service, Release how = Release::kFree);

  // Hold-back (docs/allocation.md): how long an address given up because of an edit is kept for
  // its Service (0, the default, frees it at once). Times come from advanceTo.
  void setHoldBack(util::Duration period) { holdFor_ = period; }
  util::Duration holdBack() const { return holdFor_; }
  // Ends the holds kept for the Service (it was deleted) and returns their addresses.
  std::vector<net::IpAddress> dropHolds(std::string_view service);
  // The current time: holds that ran out are freed and returned.
  std::vector<net::IpAddress> advanceTo(util::MonoTime now);
  std::optional<util::MonoTime> nextHoldExpiry() const { return holds_.nextExpiry(); }
  const HoldBack& holds() const { return holds_; }
  // Whether some Service holds an address of the pool (held-back addresses do not count).
  bool inUse(std::string_view pool) const;
  // The pool whose ranges hold `ip`.
  std::optional<std::string> poolOf(const net::IpAddress& ip) const;
  // The Services holding addresses of the pool, sorted (O(Services)).
  std::vector<std::string> holders(std::string_view pool) const;
  // How many Services hold addresses of each pool of the configuration (0 included), in one
  // O(Services) pass: metallb_allocator_services_allocated_total (docs/metrics.md).
  std::vector<std::pair<std::string, std::size_t>> servicesPerPool() const;

  std::optional<Assignment> assignment(std::string_view service) const;
  std::optional<PoolCounters> counters(std::string_view pool) const;
  std::size_t serviceCount() const { return services_.size(); }
  std::size_t ipCount() const { return ips_.size(); }
  // Capacity hint for start-up (number of Services about to be restored).
  void reserve(std::size_t services);

 private:
  struct Held {  // a legal set of IPs for one Service: their pool and ranges
    uint32_t pool = 0;
    std::array<uint32_t, 2> rangeIds{};
  };
  struct Pick {
    uint32_t pool = 0;
    IpList ips;
  };
  struct Candidate {
    net::IpAddress ip;
    uint32_t position;  // range position in the pool
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
      return std::hash<std::string_view>{}(key);
    }
  };
  // Node-based, so ServiceState addresses (held by IpTable) and key views stay valid.
  using ServiceMap = std::unordered_map<std::string, ServiceState, KeyHash, std::equal_to<>>;

  ServiceState* find(std::string_view service);
  const ServiceState* find(std::string_view service) const;
  Assignment assignmentOf(const ServiceState& state) const;

  // May `who` hold exactly `ips`? Checks pools, avoidBuggyIPs, serviceAllocation and sharing.
  Result<Held> checkHold(const ServiceRequest& request, const SharingIdentity& who,
                         const IpList& ips) const;
  // Why the IPs a Service holds no longer satisfy `request` ("" when they do).
  std::string unsatisfied(const ServiceState& state, const ServiceRequest& request,
                          const SharingIdentity& who) const;
  std::optional<Candidate> firstUsable(uint32_t pool, net::Family family,
                                       const SharingIdentity& who) const;
  std::optional<Pick> pickFrom(const std::vector<uint32_t>& pools, const ServiceRequest& request,
                               const SharingIdentity& who) const;

  Result<Pick> fromRequestedIps(const ServiceRequest& request, const SharingIdentity& who) const;
  Result<Pick> fromNamedPool(const ServiceRequest& request, const SharingIdentity& who) const;
  Result<Pick> automatically(const ServiceRequest& request, const SharingIdentity& who) const;
  // The addresses held back for this Service, when they fit the request.
  std::optional<Pick> takenBack(const ServiceRequest& request, const SharingIdentity& who) const;

  ServiceState& commit(const ServiceRequest& request, std::vector<ServicePort> ports,
                       const IpList& ips, uint32_t pool);
  void addIp(ServiceState& state, const net::IpAddress& ip);
  void dropIp(ServiceState& state, const net::IpAddress& ip, Release how);
  // The last holder of `ip` let it go: free it, or hold it back for `service`.
  void letGo(uint32_t rangeId, const net::IpAddress& ip, std::string_view service, Release how);
  // Adopts the request's labels, keys and ports for IPs the Service keeps.
  void refresh(ServiceState& state, const ServiceRequest& request, std::vector<ServicePort> ports);
  Assignment releaseState(ServiceState& state, Release how);

  AddressSpace space_;
  IpTable ips_;
  ServiceMap services_;
  // Invariant: a held address that lies in a pool and is usable there is taken in space_.
  HoldBack holds_;
  util::Duration holdFor_{0};
  util::MonoTime now_{};
};

}  // namespace ironlb::allocator
