#pragma once
// IpRange: an inclusive range [first, last] of one family, and the conversions between ranges
// and CIDR blocks.

#include <string>
#include <string_view>
#include <vector>

#include "common/net/address_count.h"
#include "common/net/ip_address.h"
#include "common/net/prefix.h"
#include "common/util/result.h"

namespace ironlb::net {

class IpRange {
 public:
  // first <= last, same family (checked by make/parse; the constructor asserts).
  IpRange(const IpAddress& first, const IpAddress& last);
  static Result<IpRange> make(const IpAddress& first, const IpAddress& last);

  // "first-last": split at the first '-', whitespace around each side trimmed; both sides one
  // family, first <= last.
  static Result<IpRange> parse(std::string_view text);

  const IpAddress& first() const { return first_; }
  const IpAddress& last() const { return last_; }
  Family family() const { return first_.family(); }
  AddressCount size() const;

  bool contains(const IpAddress& ip) const {
    return ip.family() == family() && first_ <= ip && ip <= last_;
  }
  bool contains(const IpRange& other) const {
    return other.family() == family() && first_ <= other.first_ && other.last_ <= last_;
  }
  bool overlaps(const IpRange& other) const {
    return other.family() == family() && first_ <= other.last_ && other.first_ <= last_;
  }

  // The smallest list of CIDR blocks that covers exactly this range, in ascending order.
  std::vector<Prefix> toPrefixes() const;

  std::string toString() const;  // "first-last"

  friend auto operator<=>(const IpRange&, const IpRange&) = default;
  friend bool operator==(const IpRange&, const IpRange&) = default;

 private:
  IpAddress first_;
  IpAddress last_;
};

// Whitespace the API and MetalLB trim around range ends.
std::string_view trimSpace(std::string_view text);

}  // namespace ironlb::net
