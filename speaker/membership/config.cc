// Config validation: reject settings that would make the detector unsafe or pointless.

#include "speaker/membership/config.h"

#include "speaker/membership/message.h"

namespace ironlb::membership {

Status validate(const Config& config) {
  const Timers& t = config.timers;
  auto bad = [](const std::string& field, const std::string& why) {
    return makeError("membership config " + field + ": " + why);
  };
  if (config.selfName.empty()) return bad("selfName", "empty; pass the node name");
  if (config.selfEndpoint.port == 0) return bad("selfEndpoint", "port 0");
  if (config.startIncarnation == 0 || config.startIncarnation >= kMaxIncarnation) {
    return bad("startIncarnation", "must be in 1..2^62 (wall-clock milliseconds fit)");
  }
  if (t.monitors < 1) return bad("timers.monitors", "must be >= 1");
  if (t.suspectAfterMisses < 2) {
    return bad("timers.suspectAfterMisses", "must be >= 2 so one lost packet never suspects");
  }
  if (t.soloDeathMisses < t.suspectAfterMisses) {
    return bad("timers.soloDeathMisses", "must be >= suspectAfterMisses");
  }
  if (t.helpers < 1 || t.votesToConfirm < 1) return bad("timers.helpers", "need >= 1 helper");
  for (const auto& [name, d] : {std::pair<const char*, Duration>{"probeInterval", t.probeInterval},
                                {"helperTimeout", t.helperTimeout},
                                {"helperRetry", t.helperRetry},
                                {"indirectRetry", t.indirectRetry},
                                {"revivalInterval", t.revivalInterval},
                                {"startupRetry", t.startupRetry},
                                {"isolationAfter", t.isolationAfter},
                                {"linkSettle", t.linkSettle},
                                {"stallThreshold", t.stallThreshold},
                                {"syncInterval", t.syncInterval},
                                {"correctionInterval", t.correctionInterval},
                                {"macRefresh", t.macRefresh},
                                {"incarnationMargin", t.incarnationMargin}}) {
    if (d <= Duration::zero()) return bad(std::string("timers.") + name, "must be > 0");
  }
  if (t.helperRetry >= t.helperTimeout) {
    return bad("timers.helperRetry", "must be shorter than helperTimeout");
  }
  if (t.leaveRepeats < 1) return bad("timers.leaveRepeats", "must be >= 1");
  if (t.piggybackPerMessage < 0 || t.piggybackPerMessage > 16) {
    return bad("timers.piggybackPerMessage", "must be 0..16");
  }
  return {};
}

}  // namespace ironlb::membership
