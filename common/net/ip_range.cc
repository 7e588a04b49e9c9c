#include "common/net/ip_range.h"

#include <cassert>

namespace ironlb::net {

std::string_view trimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

IpRange::IpRange(const IpAddress& first, const IpAddress& last) : first_(first), last_(last) {
  assert(first.family() == last.family() && first <= last);
}

Result<IpRange> IpRange::make(const IpAddress& first, const IpAddress& last) {
  if (first.family() != last.family()) {
    return Error{"range " + first.toString() + "-" + last.toString() + " mixes " +
                 std::string(familyName(first.family())) + " and " +
                 std::string(familyName(last.family()))};
  }
  if (last < first) {
    return Error{"range " + first.toString() + "-" + last.toString() +
                 " is inverted: the first address is greater than the last"};
  }
  return IpRange(first, last);
}

Result<IpRange> IpRange::parse(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return Error{"invalid range \"" + std::string(text) + "\": expected \"first-last\""};
  }
  auto first = IpAddress::parse(trimSpace(text.substr(0, dash)));
  if (!first) return Error{"invalid range \"" + std::string(text) + "\": " + first.error()};
  auto last = IpAddress::parse(trimSpace(text.substr(dash + 1)));
  if (!last) return Error{"invalid range \"" + std::string(text) + "\": " + last.error()};
  return make(*first, *last);
}

AddressCount IpRange::size() const {
  return AddressCount::inclusive(first_.value(), last_.value());
}

std::vector<Prefix> IpRange::toPrefixes() const {
  std::vector<Prefix> out;
  const Family fam = family();
  const int bits = familyBits(fam);
  U128 cur = first_.value();
  const U128 end = last_.value();
  while (true) {
    // Largest block aligned at `cur` that does not pass `end`.
    int host = 0;
    while (host < bits) {
      const int next = host + 1;
      const U128 span = next >= 128 ? kU128Max : (U128{1} << next) - 1;
      if ((cur & span) != 0) break;  // not aligned to a block this large
      if (span > end - cur) break;   // would pass the end
      host = next;
    }
    out.emplace_back(IpAddress::fromValue(fam, cur), bits - host);
    const U128 blockLast = cur + (host >= 128 ? kU128Max : (U128{1} << host) - 1);
    if (blockLast == end) break;
    cur = blockLast + 1;
  }
  return out;
}

std::string IpRange::toString() const {
  return first_.toString() + "-" + last_.toString();
}

}  // namespace ironlb::net
