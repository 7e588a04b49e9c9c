#pragma once
// What the failure detector parts ask the core to do. The core implements it: it owns the
// wire, the member table and the events; the parts own only their timers and counters.

#include <cstdint>

#include "speaker/membership/types.h"

namespace ironlb::membership {

class ProtocolSink {
 public:
  virtual void probe(MemberId target) = 0;  // send a ping
  virtual void askHelper(MemberId helper, MemberId target, uint64_t requestId) = 0;
  virtual void indirectResult(MemberId requester, MemberId target, uint64_t requestId,
                              bool reachable) = 0;
  // The monitor's verdict about `target` as it was when suspected (`incarnation`). Returns
  // false when the verdict is stale: the member has a newer incarnation since (a restarted
  // process, a refutation) and the evidence was about its predecessor.
  virtual bool declareDead(MemberId target, uint64_t incarnation) = 0;
  virtual void suspicionChanged(MemberId target, bool suspect) = 0;

 protected:
  ~ProtocolSink() = default;
};

}  // namespace ironlb::membership
