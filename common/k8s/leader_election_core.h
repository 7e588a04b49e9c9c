#pragma once
// Leader election on a coordination.k8s.io/v1 Lease: the pure state machine and the Lease JSON
// mapping. The thread that drives it against the API server is LeaderElector
// (leader_elector.h).
//
// Rules (compatible with client-go's leaderelection, so mixed fleets interoperate):
//  - A candidate may take the lease when it does not exist, when holderIdentity is empty (the
//    holder released it), when it already holds it, or when the record has not changed for
//    leaseDurationSeconds as measured on the candidate's own monotonic clock since it first
//    saw that record. Wall-clock renewTime is written for people, never compared across
//    machines (no clock-skew assumptions).
//  - Writes are optimistic (PUT with the resourceVersion read); a 409 simply loses the round.
//  - The leader renews every retryPeriod; if no renewal has succeeded for renewDeadline, it
//    stops leading. renewDeadline < leaseDuration, so the old leader stops before any
//    standby can consider the lease expired.
//  - Release (graceful stop) writes an empty holderIdentity and leaseDurationSeconds=1, so a
//    standby takes over at its next retry instead of waiting out the lease.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "common/util/clock.h"
#include "common/util/result.h"

namespace ironlb::k8s {

struct LeaseRecord {
  std::string holderIdentity{};
  int leaseDurationSeconds = 0;
  std::optional<util::WallTime> acquireTime{};
  std::optional<util::WallTime> renewTime{};
  int leaseTransitions = 0;

  bool operator==(const LeaseRecord&) const = default;
};

// Reads spec of a Lease object (missing fields read as empty/zero).
LeaseRecord leaseRecordFromJson(const nlohmann::json& lease);
// Writes `record` into the spec of `lease` (other fields are kept).
void applyLeaseRecord(nlohmann::json& lease, const LeaseRecord& record);
// Kubernetes MicroTime: 2024-01-01T00:00:00.000000Z.
std::string formatMicroTime(util::WallTime t);
std::optional<util::WallTime> parseMicroTime(const std::string& text);

struct LeaderElectionTiming {
  util::Duration leaseDuration = std::chrono::seconds(15);
  util::Duration renewDeadline = std::chrono::seconds(10);
  util::Duration retryPeriod = std::chrono::seconds(2);
};
// leaseDuration > renewDeadline > retryPeriod > 0, and whole seconds for leaseDuration
// (the Lease field is in seconds).
Status validateTiming(const LeaderElectionTiming& timing);

enum class LeaderTransition { kNone, kStartedLeading, kStoppedLeading };

class LeaderElectionCore {
 public:
  LeaderElectionCore(std::string identity, LeaderElectionTiming timing);

  enum class Step { kWait, kCreate, kUpdate };
  struct Plan {
    Step step = Step::kWait;
    LeaseRecord desired{};                                  // for kCreate/kUpdate
    LeaderTransition transition = LeaderTransition::kNone;  // kStoppedLeading if usurped
  };
  // After reading the Lease (nullopt: it does not exist). `version` is its resourceVersion and
  // serves (with the record) to detect change.
  Plan plan(const std::optional<LeaseRecord>& observed, const std::string& version,
            util::MonoTime now, util::WallTime wallNow);
  // The planned write succeeded.
  LeaderTransition onWriteSucceeded(const LeaseRecord& written, const std::string& version,
                                    util::MonoTime now);
  // A read or write failed (any error, including 409).
  LeaderTransition onAttemptFailed(util::MonoTime now);
  // The record that releases the lease, if we hold it.
  std::optional<LeaseRecord> releaseRecord(util::WallTime wallNow) const;
  // After the release write (successful or not): no longer leader.
  LeaderTransition onReleased();

  bool isLeader() const { return leader_; }
  const std::string& identity() const { return identity_; }
  // Latest point at which a standby may take over, by our clock (for logs/tests).
  util::MonoTime observedExpiry() const;

 private:
  void observe(const LeaseRecord& record, const std::string& version, util::MonoTime now);

  const std::string identity_;
  const LeaderElectionTiming timing_;
  bool leader_ = false;
  util::MonoTime lastRenew_{};
  LeaseRecord observed_;
  std::string observedVersion_;
  util::MonoTime observedAt_{};
  bool haveObserved_ = false;
};

}  // namespace ironlb::k8s
