#include "common/net/prefix.h"

#include <cassert>

#include "common/net/ip_range.h"

namespace ironlb::net {

U128 prefixMask(Family family, int length) {
  const int bits = familyBits(family);
  if (length <= 0) return 0;
  const U128 all = familyMax(family);
  return length >= bits ? all : all & ~(all >> length);
}

Prefix::Prefix(const IpAddress& address, int length)
    : network_(IpAddress::fromValue(address.family(),
                                    address.value() & prefixMask(address.family(), length))),
      length_(static_cast<uint8_t>(length)) {
  assert(length >= 0 && length <= address.bits());
}

Result<Prefix::Parsed> Prefix::parse(std::string_view text) {
  const auto fail = [&](std::string_view why) {
    std::string message = "invalid CIDR \"";
    message.append(text);
    message.append("\": ");
    message.append(why);
    return Error{std::move(message)};
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return fail("missing '/<prefix length>'");
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return fail(address.error());
  const std::string_view lenText = text.substr(slash + 1);
  if (lenText.empty()) return fail("empty prefix length");
  if (lenText.size() > 1 && lenText[0] == '0') return fail("leading zero in prefix length");
  int length = 0;
  for (char c : lenText) {
    if (c < '0' || c > '9') return fail("prefix length is not a decimal number");
    length = length * 10 + (c - '0');
    if (length > 128) break;
  }
  if (length > address->bits()) {
    return fail(std::string("prefix length larger than ") + std::to_string(address->bits()));
  }
  Parsed parsed{Prefix(*address, length), false};
  parsed.hostBitsSet = parsed.prefix.network() != *address;
  return parsed;
}

IpAddress Prefix::last() const {
  const U128 host = familyMax(family()) & ~prefixMask(family(), length_);
  return IpAddress::fromValue(family(), network_.value() | host);
}

IpRange Prefix::range() const {
  return IpRange(first(), last());
}

AddressCount Prefix::size() const {
  return AddressCount::inclusive(network_.value(), last().value());
}

bool Prefix::contains(const IpAddress& ip) const {
  return ip.family() == family() &&
         (ip.value() & prefixMask(family(), length_)) == network_.value();
}

bool Prefix::contains(const Prefix& other) const {
  return other.length_ >= length_ && contains(other.network_);
}

std::string Prefix::toString() const {
  return network_.toString() + "/" + std::to_string(length_);
}

}  // namespace ironlb::net
