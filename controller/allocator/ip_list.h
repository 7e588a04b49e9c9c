#pragma once
// IpList: the one or two IPs a Service holds (at most one per family), stored inline so an
// assignment costs no separate heap block.

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/net/ip_address.h"

namespace ironlb::allocator {

class IpList {
 public:
  IpList() = default;
  explicit IpList(std::span<const net::IpAddress> ips) {
    for (const auto& ip : ips)
      pushBack(ip);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const net::IpAddress* begin() const { return ips_.data(); }
  const net::IpAddress* end() const { return ips_.data() + size_; }
  const net::IpAddress& operator[](std::size_t i) const { return ips_[i]; }
  std::span<const net::IpAddress> span() const { return {begin(), end()}; }
  std::vector<net::IpAddress> toVector() const { return {begin(), end()}; }

  void pushBack(const net::IpAddress& ip) {
    assert(size_ < 2);
    ips_[size_++] = ip;
  }
  // Precondition: `ip` is in the list.
  void erase(const net::IpAddress& ip) {
    assert(size_ > 0);
    if (ips_[0] == ip) ips_[0] = ips_[1];
    --size_;
  }
  void swapOrder() {
    if (size_ == 2) std::swap(ips_[0], ips_[1]);
  }
  // Same addresses, in any order.
  bool sameSet(std::span<const net::IpAddress> other) const {
    if (other.size() != size_) return false;
    for (const auto& ip : other) {
      bool found = false;
      for (const auto& mine : *this)
        found = found || mine == ip;
      if (!found) return false;
    }
    return true;
  }

 private:
  std::array<net::IpAddress, 2> ips_{};
  uint8_t size_ = 0;
};

}  // namespace ironlb::allocator
