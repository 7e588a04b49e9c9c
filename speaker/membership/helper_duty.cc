// Helper duties: a small unordered array; removal swaps with the last entry.

#include "speaker/membership/helper_duty.h"

#include <algorithm>

namespace ironlb::membership {

bool HelperDuty::onPingReq(MemberId requester, MemberId target, uint64_t requestId,
                           util::MonoTime now, ProtocolSink& sink) {
  for (std::size_t i = 0; i < count_; ++i) {
    const Duty& d = duties_[i];
    if (d.requester == requester && d.target == target && d.requestId == requestId) {
      return true;  // a retry of a request we are already serving
    }
  }
  if (count_ == kCapacity) return false;
  duties_[count_++] =
      Duty{requester, target, requestId, now + timers_.helperRetry, now + timers_.helperTimeout};
  sink.probe(target);
  return true;
}

void HelperDuty::onHeard(MemberId id, ProtocolSink& sink) {
  for (std::size_t i = 0; i < count_;) {
    if (duties_[i].target == id) {
      sink.indirectResult(duties_[i].requester, id, duties_[i].requestId, true);
      removeAt(i);
    } else {
      ++i;
    }
  }
}

void HelperDuty::onTimer(util::MonoTime now, ProtocolSink& sink) {
  for (std::size_t i = 0; i < count_;) {
    Duty& d = duties_[i];
    if (now >= d.deadline) {
      sink.indirectResult(d.requester, d.target, d.requestId, false);
      removeAt(i);
      continue;
    }
    if (!d.retried && now >= d.retryAt) {
      d.retried = true;
      sink.probe(d.target);
    }
    ++i;
  }
}

void HelperDuty::onStall(util::MonoTime now) {
  for (std::size_t i = 0; i < count_;) {
    if (now >= duties_[i].deadline) {
      removeAt(i);
    } else {
      ++i;
    }
  }
}

void HelperDuty::forget(MemberId id) {
  for (std::size_t i = 0; i < count_;) {
    if (duties_[i].target == id || duties_[i].requester == id) {
      removeAt(i);
    } else {
      ++i;
    }
  }
}

util::MonoTime HelperDuty::nextWakeup() const {
  util::MonoTime next = util::MonoTime::max();
  for (std::size_t i = 0; i < count_; ++i) {
    next = std::min(next, duties_[i].retried ? duties_[i].deadline : duties_[i].retryAt);
  }
  return next;
}

}  // namespace ironlb::membership
