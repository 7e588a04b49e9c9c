#pragma once
// KeyRotation: turns the membership key file's content over time into the key list membership
// uses (the first signs, all verify). Pure: the daemon re-reads the file and passes the bytes
// and the time.
//
// Kubelet updates a mounted Secret on each node at a different moment (up to a minute or two
// apart), so a node must not sign with a new key before every peer accepts it, nor drop the
// old key while a peer may still sign with it. On a change from K to K' at time t:
//   [K, K']  until t + grace   (accept K', still sign K)
//   [K', K]  until t + 2 grace (sign K', still accept K)
//   [K']     afterwards
// With grace larger than the spread of update moments across nodes, no message is ever
// rejected (membership README: rotation). A change in the middle of a rotation starts a new one
// from the key currently signing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/util/clock.h"

namespace ironlb::control {

using Key = std::vector<uint8_t>;

class KeyRotation {
 public:
  using Duration = std::chrono::steady_clock::duration;

  KeyRotation(Key initial, Duration grace);

  // The file's current content. Returns true when keys() changed.
  bool observe(const Key& content, util::MonoTime now);
  // Advances the phases. Returns true when keys() changed.
  bool tick(util::MonoTime now);
  const std::vector<Key>& keys() const { return keys_; }
  // When tick() next has something to do.
  std::optional<util::MonoTime> nextChange() const;

 private:
  enum class Phase { kStable, kAcceptNew, kSignNew };
  void setKeys();

  Duration grace_;
  Phase phase_ = Phase::kStable;
  Key signing_;
  Key other_;  // kAcceptNew: the new key; kSignNew: the old key
  util::MonoTime phaseEnds_{};
  std::vector<Key> keys_;
};

}  // namespace ironlb::control
