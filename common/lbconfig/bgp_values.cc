#include "common/lbconfig/bgp_values.h"

#include <charconv>
#include <limits>
#include <optional>

namespace ironlb::lbconfig {
namespace {

// Decimal digits only (no sign, no spaces), within `max`.
std::optional<uint64_t> parseUnsigned(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// Nanoseconds per unit of a Go duration, 0 for an unknown unit.
int64_t unitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Splits "A:B:C" into exactly `count` parts.
template <std::size_t N>
bool splitColons(std::string_view text, std::string_view (&parts)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    const std::size_t colon = text.find(':');
    if (i + 1 < N) {
      if (colon == std::string_view::npos) return false;
      parts[i] = text.substr(0, colon);
      text.remove_prefix(colon + 1);
    } else {
      if (colon != std::string_view::npos) return false;
      parts[i] = text;
    }
  }
  return true;
}

}  // namespace

Result<int64_t> parseGoDurationMs(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return makeError("not a duration (" + std::string(why) +
                     "); write it the way Kubernetes does, e.g. \"90s\", \"1m30s\", \"250ms\"");
  };
  if (text == "0") return int64_t{0};
  if (text.empty()) return bad("empty");
  if (text.front() == '-') return bad("negative");
  if (text.front() == '+') text.remove_prefix(1);
  // Sum in nanoseconds, with a cap far above any BGP timer so nothing overflows.
  constexpr int64_t kCapNanos = int64_t{1'000'000} * 3'600'000'000'000;  // a million hours
  int64_t total = 0;
  while (!text.empty()) {
    std::size_t i = 0;
    while (i < text.size() && isDigit(text[i]))
      ++i;
    std::string_view whole = text.substr(0, i);
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
      const std::size_t start = ++i;
      while (i < text.size() && isDigit(text[i]))
        ++i;
      fraction = text.substr(start, i - start);
    }
    if (whole.empty() && fraction.empty()) return bad("a number must come before each unit");
    std::size_t u = i;
    while (u < text.size() && !isDigit(text[u]) && text[u] != '.')
      ++u;
    const int64_t nanos = unitNanos(text.substr(i, u - i));
    if (nanos == 0) return bad(i == u ? "missing unit" : "unknown unit");
    const auto count = whole.empty()
                           ? std::optional<uint64_t>(0)
                           : parseUnsigned(whole, static_cast<uint64_t>(kCapNanos / nanos));
    if (!count) return bad("too large");
    int64_t part = static_cast<int64_t>(*count) * nanos;
    int64_t scale = nanos;
    for (char digit : fraction) {
      scale /= 10;
      if (scale == 0) break;  // beyond nanoseconds: ignored, as Go does
      part += (digit - '0') * scale;
    }
    total += part;
    if (total > kCapNanos) return bad("too large");
    text.remove_prefix(u);
  }
  if (total % 1'000'000 != 0) return bad("finer than a millisecond");
  return total / 1'000'000;
}

Result<BgpCommunity> parseCommunity(std::string_view text) {
  constexpr std::string_view kLargePrefix = "large:";
  if (text.starts_with(kLargePrefix)) {
    std::string_view parts[3];
    if (!splitColons(text.substr(kLargePrefix.size()), parts)) {
      return makeError("a large community is \"large:A:B:C\"");
    }
    LargeCommunity out;
    uint32_t* fields[3] = {&out.global, &out.local1, &out.local2};
    for (std::size_t i = 0; i < 3; ++i) {
      const auto v = parseUnsigned(parts[i], std::numeric_limits<uint32_t>::max());
      if (!v) return makeError("each part of a large community is a number 0-4294967295");
      *fields[i] = static_cast<uint32_t>(*v);
    }
    return BgpCommunity(out);
  }
  std::string_view parts[2];
  if (!splitColons(text, parts)) {
    return makeError(
        "not a community: \"A:B\" (each 0-65535), \"large:A:B:C\", or the name of "
        "an alias defined in a Community object");
  }
  const auto a = parseUnsigned(parts[0], 65535);
  const auto b = parseUnsigned(parts[1], 65535);
  if (!a || !b) return makeError("each part of a community \"A:B\" is a number 0-65535");
  return BgpCommunity(StandardCommunity{static_cast<uint16_t>(*a), static_cast<uint16_t>(*b)});
}

std::string formatCommunity(const BgpCommunity& community) {
  if (const auto* s = std::get_if<StandardCommunity>(&community)) {
    return std::to_string(s->asn) + ":" + std::to_string(s->value);
  }
  const auto& l = std::get<LargeCommunity>(community);
  return std::to_string(l.global) + ":" + std::to_string(l.local1) + ":" + std::to_string(l.local2);
}

bool isLarge(const BgpCommunity& community) {
  return std::holds_alternative<LargeCommunity>(community);
}

bool validAsn(int64_t asn) {
  return asn >= 1 && asn <= kMaxAsn;
}

}  // namespace ironlb::lbconfig
