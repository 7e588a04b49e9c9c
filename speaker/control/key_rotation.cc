// KeyRotation phases.
#include "speaker/control/key_rotation.h"

namespace ironlb::control {

KeyRotation::KeyRotation(Key initial, Duration grace)
    : grace_(grace), signing_(std::move(initial)) {
  setKeys();
}

void KeyRotation::setKeys() {
  keys_.clear();
  keys_.push_back(signing_);
  if (phase_ != Phase::kStable) keys_.push_back(other_);
}

bool KeyRotation::observe(const Key& content, util::MonoTime now) {
  const bool changed = tick(now);
  const Key& latest = phase_ == Phase::kAcceptNew ? other_ : signing_;
  if (content.empty() || content == latest) return changed;
  // A new key: start (or restart) the rotation from the key that signs now.
  if (phase_ == Phase::kAcceptNew && content == signing_) {
    // Rolled back before we switched: nothing was ever signed with the new key.
    phase_ = Phase::kStable;
    setKeys();
    return true;
  }
  other_ = content;
  phase_ = Phase::kAcceptNew;
  phaseEnds_ = now + grace_;
  setKeys();
  return true;
}

bool KeyRotation::tick(util::MonoTime now) {
  bool changed = false;
  while (phase_ != Phase::kStable && now >= phaseEnds_) {
    if (phase_ == Phase::kAcceptNew) {
      std::swap(signing_, other_);
      phase_ = Phase::kSignNew;
      phaseEnds_ += grace_;
    } else {
      other_.clear();
      phase_ = Phase::kStable;
    }
    changed = true;
  }
  if (changed) setKeys();
  return changed;
}

std::optional<util::MonoTime> KeyRotation::nextChange() const {
  if (phase_ == Phase::kStable) return std::nullopt;
  return phaseEnds_;
}

}  // namespace ironlb::control
