// Outbox arena: grows geometrically to the largest burst seen (a broadcast to every member),
// then is reused.

#include "speaker/membership/outbox.h"

namespace ironlb::membership {

Outbox::Outbox() {
  arena_.resize(16 * 1024);
  packets_.reserve(64);
}

std::span<uint8_t> Outbox::reserve(std::size_t maxBytes) {
  if (used_ + maxBytes > arena_.size()) arena_.resize((used_ + maxBytes) * 2);
  return std::span<uint8_t>(arena_.data() + used_, maxBytes);
}

void Outbox::commit(const Endpoint& to, MemberId member, std::size_t bytes) {
  packets_.push_back(Slot{to, member, used_, bytes});
  used_ += bytes;
}

OutPacket Outbox::operator[](std::size_t i) const {
  const Slot& s = packets_[i];
  return OutPacket{s.to, s.member, std::span<const uint8_t>(arena_.data() + s.offset, s.length)};
}

void Outbox::clear() {
  packets_.clear();
  used_ = 0;
}

}  // namespace ironlb::membership
