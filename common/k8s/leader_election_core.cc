// Lease state machine and JSON mapping.
#include "common/k8s/leader_election_core.h"

#include <cstdio>
#include <ctime>

#include "common/util/rfc3339.h"

namespace ironlb::k8s {

std::string formatMicroTime(util::WallTime t) {
  return util::formatRfc3339(t, util::Rfc3339Fraction::kMicros);
}

std::optional<util::WallTime> parseMicroTime(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  long long micros = 0;
  size_t pos = static_cast<size_t>(consumed);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        micros = micros * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    for (; digits < 6; ++digits)
      micros *= 10;
  }
  if (pos >= text.size() || text[pos] != 'Z') return std::nullopt;  // we only write UTC
  const std::time_t tt = timegm(&tm);
  return std::chrono::system_clock::from_time_t(tt) + std::chrono::microseconds(micros);
}

LeaseRecord leaseRecordFromJson(const nlohmann::json& lease) {
  LeaseRecord r;
  if (!lease.is_object()) return r;
  const auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return r;
  auto str = [&](const char* k) -> std::string {
    auto it = spec->find(k);
    return it != spec->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* k) -> int {
    auto it = spec->find(k);
    return it != spec->end() && it->is_number_integer() ? it->get<int>() : 0;
  };
  r.holderIdentity = str("holderIdentity");
  r.leaseDurationSeconds = num("leaseDurationSeconds");
  r.leaseTransitions = num("leaseTransitions");
  r.acquireTime = parseMicroTime(str("acquireTime"));
  r.renewTime = parseMicroTime(str("renewTime"));
  return r;
}

void applyLeaseRecord(nlohmann::json& lease, const LeaseRecord& r) {
  if (!lease.is_object()) lease = nlohmann::json::object();
  nlohmann::json& spec = lease["spec"];
  if (!spec.is_object()) spec = nlohmann::json::object();
  spec["holderIdentity"] = r.holderIdentity;
  spec["leaseDurationSeconds"] = r.leaseDurationSeconds;
  spec["leaseTransitions"] = r.leaseTransitions;
  if (r.acquireTime) spec["acquireTime"] = formatMicroTime(*r.acquireTime);
  if (r.renewTime) spec["renewTime"] = formatMicroTime(*r.renewTime);
}

Status validateTiming(const LeaderElectionTiming& t) {
  if (t.retryPeriod <= util::Duration::zero()) return makeError("retryPeriod must be positive");
  if (t.renewDeadline <= t.retryPeriod) {
    return makeError("renewDeadline must be longer than retryPeriod");
  }
  if (t.leaseDuration <= t.renewDeadline) {
    return makeError("leaseDuration must be longer than renewDeadline");
  }
  if (t.leaseDuration % std::chrono::seconds(1) != util::Duration::zero()) {
    return makeError("leaseDuration must be a whole number of seconds");
  }
  return {};
}

LeaderElectionCore::LeaderElectionCore(std::string identity, LeaderElectionTiming timing)
    : identity_(std::move(identity)), timing_(timing) {}

void LeaderElectionCore::observe(const LeaseRecord& record, const std::string& version,
                                 util::MonoTime now) {
  if (!haveObserved_ || !(record == observed_) || version != observedVersion_) {
    observed_ = record;
    observedVersion_ = version;
    observedAt_ = now;
    haveObserved_ = true;
  }
}

util::MonoTime LeaderElectionCore::observedExpiry() const {
  const util::Duration d =
      observed_.leaseDurationSeconds > 0
          ? util::Duration(std::chrono::seconds(observed_.leaseDurationSeconds))
          : timing_.leaseDuration;
  return observedAt_ + d;
}

LeaderElectionCore::Plan LeaderElectionCore::plan(const std::optional<LeaseRecord>& observed,
                                                  const std::string& version, util::MonoTime now,
                                                  util::WallTime wallNow) {
  Plan p;
  const int durationSeconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(timing_.leaseDuration).count());
  if (!observed) {
    p.step = Step::kCreate;
    p.desired = LeaseRecord{identity_, durationSeconds, wallNow, wallNow, 0};
    return p;
  }
  observe(*observed, version, now);
  const bool mine = observed->holderIdentity == identity_;
  const bool free = observed->holderIdentity.empty();
  if (!mine && leader_) {
    // Someone else holds it now: we lost it (e.g. our renewals were not getting through).
    leader_ = false;
    p.transition = LeaderTransition::kStoppedLeading;
  }
  if (!mine && !free && now < observedExpiry()) {
    p.step = Step::kWait;
    return p;
  }
  p.step = Step::kUpdate;
  p.desired.holderIdentity = identity_;
  p.desired.leaseDurationSeconds = durationSeconds;
  p.desired.renewTime = wallNow;
  if (mine) {
    p.desired.acquireTime = observed->acquireTime ? observed->acquireTime : wallNow;
    p.desired.leaseTransitions = observed->leaseTransitions;
  } else {
    p.desired.acquireTime = wallNow;
    p.desired.leaseTransitions = observed->leaseTransitions + 1;
  }
  return p;
}

LeaderTransition LeaderElectionCore::onWriteSucceeded(const LeaseRecord& written,
                                                      const std::string& version,
                                                      util::MonoTime now) {
  observe(written, version, now);
  lastRenew_ = now;
  if (leader_) return LeaderTransition::kNone;
  leader_ = true;
  return LeaderTransition::kStartedLeading;
}

LeaderTransition LeaderElectionCore::onAttemptFailed(util::MonoTime now) {
  if (leader_ && now - lastRenew_ >= timing_.renewDeadline) {
    leader_ = false;
    return LeaderTransition::kStoppedLeading;
  }
  return LeaderTransition::kNone;
}

std::optional<LeaseRecord> LeaderElectionCore::releaseRecord(util::WallTime wallNow) const {
  if (!leader_) return std::nullopt;
  LeaseRecord r = observed_;
  r.holderIdentity.clear();
  r.leaseDurationSeconds = 1;
  r.acquireTime = wallNow;
  r.renewTime = wallNow;
  return r;
}

LeaderTransition LeaderElectionCore::onReleased() {
  if (!leader_) return LeaderTransition::kNone;
  leader_ = false;
  return LeaderTransition::kStoppedLeading;
}

}  // namespace ironlb::k8s
