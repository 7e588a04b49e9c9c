// Sliding-window replay check (the IPsec anti-replay scheme, keyed by incarnation first).

#include "speaker/membership/replay_window.h"

namespace ironlb::membership {

ReplayWindow::Verdict ReplayWindow::check(uint64_t incarnation, uint64_t sequence) const {
  if (!any_ || incarnation > incarnation_) return Verdict::kFresh;
  if (incarnation < incarnation_) return Verdict::kStaleIncarnation;
  if (sequence > highest_) return Verdict::kFresh;
  const uint64_t age = highest_ - sequence;
  if (age >= kWindow) return Verdict::kReplay;
  return (seen_ >> age) & 1u ? Verdict::kReplay : Verdict::kFresh;
}

ReplayWindow::Verdict ReplayWindow::accept(uint64_t incarnation, uint64_t sequence) {
  const Verdict v = check(incarnation, sequence);
  if (v != Verdict::kFresh) return v;
  if (!any_ || incarnation > incarnation_) {
    any_ = true;
    incarnation_ = incarnation;
    highest_ = sequence;
    seen_ = 1;
  } else if (sequence > highest_) {
    const uint64_t shift = sequence - highest_;
    seen_ = shift >= kWindow ? 1 : (seen_ << shift) | 1u;
    highest_ = sequence;
  } else {
    seen_ |= uint64_t{1} << (highest_ - sequence);
  }
  return Verdict::kFresh;
}

}  // namespace ironlb::membership
