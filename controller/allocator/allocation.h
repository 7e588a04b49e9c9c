#pragma once
// What the allocator hands back: assignments, the outcome of an allocate/restore call, the
// report of a pool change, and per-pool counters.

#include <cstdint>
#include <string>
#include <vector>

#include "common/net/address_count.h"
#include "common/net/ip_address.h"

namespace ironlb::allocator {

struct Assignment {
  std::vector<net::IpAddress> ips;  // in the Service's family order (primary first)
  std::string pool;                 // for the metallb.io/ip-allocated-from-pool annotation

  friend bool operator==(const Assignment&, const Assignment&) = default;
};

enum class Outcome : uint8_t {
  kUnchanged,  // the IPs the Service already held still satisfy it (sharing data updated)
  kExtended,   // PreferDualStack: the missing family was added from the same pool, IP kept
  kReduced,    // now single-stack: kept the primary-family IP, `released` has the other one
  kAllocated,  // new IPs; `released` lists what the Service gave up first, if anything
};

struct AllocationResult {
  Assignment assignment;
  Outcome outcome = Outcome::kAllocated;
  std::vector<net::IpAddress> released;  // IPs held before this call and no longer held
  std::string releaseReason;             // why they were given up (for a ClearAssignment event)
  bool heldBack = false;                 // `released` is held back for the Service (hold-back)
};

// An assignment setPools took away, with the reason (for a ClearAssignment event).
struct ClearedAssignment {
  std::string service;
  Assignment previous;
  std::string reason;

  friend bool operator==(const ClearedAssignment&, const ClearedAssignment&) = default;
};

// An assignment that kept its IPs while the pool holding them changed name.
struct Repooled {
  std::string service;
  std::string from;
  std::string to;

  friend bool operator==(const Repooled&, const Repooled&) = default;
};

struct SetPoolsReport {
  std::vector<ClearedAssignment> cleared;  // sorted by service key
  std::vector<Repooled> repooled;          // sorted by service key
};

// Exact counts. `total` excludes addresses skipped by avoidBuggyIPs; `assigned` counts distinct
// IPs in use (a shared IP counts once). Kubernetes status takes int64: use
// AddressCount::toInt64Saturated(), which reports INT64_MAX for larger counts as MetalLB does.
struct FamilyCounters {
  net::AddressCount total;
  net::AddressCount assigned;
  net::AddressCount available() const { return total - assigned; }

  friend bool operator==(const FamilyCounters&, const FamilyCounters&) = default;
};

struct PoolCounters {
  FamilyCounters v4;
  FamilyCounters v6;

  friend bool operator==(const PoolCounters&, const PoolCounters&) = default;
};

}  // namespace ironlb::allocator
