#include "common/lbconfig/unusable_addresses.h"

#include <algorithm>
#include <array>

namespace ironlb::lbconfig {
namespace {

using net::IpAddress;
using net::makeU128;
using net::Prefix;

std::array<UnusableBlock, 10> makeBlocks() {
  const auto v4 = [](uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    return IpAddress::v4((a << 24) | (b << 16) | (c << 8) | d);
  };
  const auto v6 = [](uint64_t high, uint64_t low) { return IpAddress::v6(makeU128(high, low)); };
  return {{
      {Prefix(v4(0, 0, 0, 0), 8), "this network", "a \"this network\" address"},
      {Prefix(v4(127, 0, 0, 0), 8), "loopback", "a loopback address"},
      {Prefix(v4(169, 254, 0, 0), 16), "link-local", "a link-local address"},
      {Prefix(v4(224, 0, 0, 0), 4), "multicast", "a multicast address"},
      {Prefix(v4(255, 255, 255, 255), 32), "limited broadcast", "the limited broadcast address"},
      {Prefix(v6(0, 0), 128), "unspecified", "the unspecified address"},
      {Prefix(v6(0, 1), 128), "loopback", "the loopback address"},
      {Prefix(v6(0, 0xffff00000000), 96), "IPv4-mapped", "an IPv4-mapped IPv6 address"},
      {Prefix(v6(0xfe80000000000000, 0), 10), "link-local", "a link-local address"},
      {Prefix(v6(0xff00000000000000, 0), 8), "multicast", "a multicast address"},
  }};
}

// The part of `block` inside `range` (they overlap), as the warning names it.
std::string describePart(const UnusableBlock& block, const net::IpRange& range) {
  const net::IpRange whole = block.prefix.range();
  std::string text;
  if (range.contains(whole)) {
    text = whole.first() == whole.last() ? whole.first().toString() : block.prefix.toString();
  } else {
    const IpAddress& first = std::max(whole.first(), range.first());
    const IpAddress& last = std::min(whole.last(), range.last());
    text = first == last ? first.toString() : net::IpRange(first, last).toString();
  }
  return text + " (" + std::string(block.label) + ")";
}

}  // namespace

std::span<const UnusableBlock> unusableBlocks() {
  static const std::array<UnusableBlock, 10> kBlocks = makeBlocks();
  return kBlocks;
}

const UnusableBlock* unusableBlockOf(const IpAddress& ip) {
  for (const UnusableBlock& block : unusableBlocks()) {
    if (block.prefix.contains(ip)) return &block;
  }
  return nullptr;
}

std::optional<std::string> whyUnusable(const IpAddress& ip) {
  const UnusableBlock* block = unusableBlockOf(ip);
  if (block == nullptr) return std::nullopt;
  std::string out = ip.toString() + " is " + std::string(block->phrase);
  if (block->prefix.length() != ip.bits()) out += " (" + block->prefix.toString() + ")";
  return out + ", which no host can use as a Service address";
}

UsableParts usableParts(const net::IpRange& range) {
  UsableParts out;
  std::optional<IpAddress> next = range.first();  // first address not yet placed
  for (const UnusableBlock& block : unusableBlocks()) {
    if (!next) break;
    const net::IpRange whole = block.prefix.range();
    if (!whole.overlaps(net::IpRange(*next, range.last()))) continue;
    if (*next < whole.first()) out.usable.emplace_back(*next, *whole.first().prev());
    out.excluded.push_back(describePart(block, range));
    next = whole.last() < range.last() ? whole.last().next() : std::nullopt;
  }
  if (next) out.usable.emplace_back(*next, range.last());
  return out;
}

}  // namespace ironlb::lbconfig
