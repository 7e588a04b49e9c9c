#pragma once
// UserList: the Services holding one IP. Almost always one or two, so those are stored inline;
// more spill to the heap.

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

namespace ironlb::allocator {

struct ServiceState;

class UserList {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ServiceState* front() const { return *begin(); }
  ServiceState* const* begin() const { return size_ <= kInline ? inline_.data() : heap_.data(); }
  ServiceState* const* end() const { return begin() + size_; }

  void pushBack(ServiceState* user) {
    if (size_ < kInline) {
      inline_[size_] = user;
    } else {
      if (size_ == kInline) heap_.assign(inline_.begin(), inline_.end());
      heap_.push_back(user);
    }
    ++size_;
  }
  // Precondition: `user` is in the list.
  void erase(const ServiceState* user) {
    if (size_ <= kInline) {
      auto* last = inline_.data() + size_;
      auto* pos = std::find(inline_.data(), last, user);
      assert(pos != last);
      std::copy(pos + 1, last, pos);
    } else {
      auto pos = std::find(heap_.begin(), heap_.end(), user);
      assert(pos != heap_.end());
      heap_.erase(pos);
      if (heap_.size() == kInline) {
        std::copy(heap_.begin(), heap_.end(), inline_.begin());
        heap_ = {};
      }
    }
    --size_;
  }

 private:
  static constexpr uint32_t kInline = 2;
  std::array<ServiceState*, kInline> inline_{};
  std::vector<ServiceState*> heap_;  // all users once there are more than kInline
  uint32_t size_ = 0;
};

}  // namespace ironlb::allocator
