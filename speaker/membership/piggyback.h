#pragma once
// Recent membership updates waiting to ride on outgoing probes and acks (the gossip path that
// repairs a lost direct notice). Each update is sent a bounded number of times; a newer update
// about the same member replaces the older one. Fixed capacity, no allocation after creation.

#include <cstddef>
#include <span>
#include <vector>

#include "speaker/membership/message.h"

namespace ironlb::membership {

class Piggyback {
 public:
  explicit Piggyback(std::size_t capacity = 64);

  // Queues `update` for `transmissions` sends, replacing any queued update about the member.
  // When full, the entry with the fewest sends left gives way.
  void push(const Update& update, int transmissions);
  // Copies up to out.size() updates (most sends left first) into `out`, charging one send to
  // each. Returns how many were copied.
  std::size_t take(std::span<Update> out);
  void remove(MemberId id);
  std::size_t size() const { return entries_.size(); }
  std::size_t stateBytes() const { return entries_.capacity() * sizeof(Entry); }

 private:
  struct Entry {
    Update update;
    int remaining = 0;
  };
  std::vector<Entry> entries_;
  std::size_t capacity_;
};

}  // namespace ironlb::membership
