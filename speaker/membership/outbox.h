#pragma once
// Packets the core wants sent, in one reusable arena. The owner drains it after every call
// into the core and clears it; after warm-up nothing is allocated.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "speaker/membership/types.h"

namespace ironlb::membership {

struct OutPacket {
  Endpoint to;
  MemberId member = 0;
  std::span<const uint8_t> bytes;
};

class Outbox {
 public:
  Outbox();
  // Space for one packet of at most `maxBytes`; valid until commit() or clear().
  std::span<uint8_t> reserve(std::size_t maxBytes);
  void commit(const Endpoint& to, MemberId member, std::size_t bytes);

  std::size_t size() const { return packets_.size(); }
  bool empty() const { return packets_.empty(); }
  OutPacket operator[](std::size_t i) const;
  void clear();
  std::size_t stateBytes() const { return arena_.capacity() + packets_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    Endpoint to;
    MemberId member;
    std::size_t offset;
    std::size_t length;
  };
  std::vector<uint8_t> arena_;
  std::size_t used_ = 0;
  std::vector<Slot> packets_;
};

}  // namespace ironlb::membership
