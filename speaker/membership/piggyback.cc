// Piggyback queue: a small array scanned linearly (tens of entries at most).

#include "speaker/membership/piggyback.h"

#include <algorithm>

namespace ironlb::membership {

Piggyback::Piggyback(std::size_t capacity) : capacity_(capacity) {
  entries_.reserve(capacity);
}

void Piggyback::push(const Update& update, int transmissions) {
  for (auto& e : entries_) {
    if (e.update.id == update.id) {
      e.update = update;
      e.remaining = transmissions;
      return;
    }
  }
  if (entries_.size() == capacity_) {
    auto weakest =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.remaining < b.remaining; });
    *weakest = Entry{update, transmissions};
    return;
  }
  entries_.push_back(Entry{update, transmissions});
}

std::size_t Piggyback::take(std::span<Update> out) {
  // Partial selection of the entries with the most sends left: fresh news travels first.
  const std::size_t n = std::min(out.size(), entries_.size());
  std::partial_sort(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n),
                    entries_.end(),
                    [](const Entry& a, const Entry& b) { return a.remaining > b.remaining; });
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = entries_[i].update;
    --entries_[i].remaining;
  }
  std::erase_if(entries_, [](const Entry& e) { return e.remaining <= 0; });
  return n;
}

void Piggyback::remove(MemberId id) {
  std::erase_if(entries_, [id](const Entry& e) { return e.update.id == id; });
}

}  // namespace ironlb::membership
