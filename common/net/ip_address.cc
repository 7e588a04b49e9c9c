#include "common/net/ip_address.h"

#include <algorithm>
#include <cstring>

namespace ironlb::net {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error ipError(std::string_view text, std::string_view why) {
  std::string message = "invalid IP address \"";
  message.append(text);
  message.append("\": ");
  message.append(why);
  return Error{std::move(message)};
}

// Parses dotted-quad IPv4 into `out`; returns nullptr on success or a reason.
const char* parseV4(std::string_view text, uint32_t& out) {
  uint32_t value = 0;
  int octets = 0;
  std::size_t i = 0;
  while (true) {
    if (i >= text.size() || !isDigit(text[i])) return "expected a decimal octet";
    const std::size_t start = i;
    uint32_t octet = 0;
    while (i < text.size() && isDigit(text[i])) {
      octet = octet * 10 + static_cast<uint32_t>(text[i] - '0');
      if (i - start >= 3 || octet > 255) return "IPv4 octet out of range 0-255";
      ++i;
    }
    if (i - start > 1 && text[start] == '0') {
      return "leading zero in IPv4 octet (ambiguous: octal or decimal)";
    }
    value = (value << 8) | octet;
    ++octets;
    if (octets == 4) break;
    if (i >= text.size() || text[i] != '.') return "IPv4 address needs four dot-separated octets";
    ++i;
  }
  if (i != text.size()) return "unexpected characters after IPv4 address";
  out = value;
  return nullptr;
}

const char* parseV6(std::string_view text, U128& out) {
  if (text.find('%') != std::string_view::npos) return "zone index (%...) is not allowed";
  uint16_t groups[8] = {};
  int count = 0;
  int gap = -1;  // index of the group where "::" sits
  std::size_t i = 0;
  if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!text.empty() && text[0] == ':') {
    return "IPv6 address cannot start with a single ':'";
  }
  while (i < text.size()) {
    if (count == 8) return "too many IPv6 groups";
    // Embedded IPv4 in the last 32 bits.
    const std::size_t nextColon = text.find(':', i);
    const std::string_view rest = text.substr(
        i, nextColon == std::string_view::npos ? std::string_view::npos : nextColon - i);
    if (rest.find('.') != std::string_view::npos) {
      if (nextColon != std::string_view::npos) return "embedded IPv4 must be the last part";
      if (count > 6) return "too many IPv6 groups";
      uint32_t v4 = 0;
      if (const char* why = parseV4(rest, v4)) return why;
      groups[count++] = static_cast<uint16_t>(v4 >> 16);
      groups[count++] = static_cast<uint16_t>(v4 & 0xffff);
      i = text.size();
      break;
    }
    uint32_t group = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] != ':') {
      const int h = hexValue(text[i]);
      if (h < 0) return "invalid character in IPv6 address";
      if (++digits > 4) return "IPv6 group longer than four hex digits";
      group = (group << 4) | static_cast<uint32_t>(h);
      ++i;
    }
    if (digits == 0) return "empty IPv6 group";
    groups[count++] = static_cast<uint16_t>(group);
    if (i == text.size()) break;
    ++i;  // ':'
    if (i < text.size() && text[i] == ':') {
      if (gap >= 0) return "'::' may appear only once";
      gap = count;
      ++i;
    } else if (i == text.size()) {
      return "IPv6 address cannot end with a single ':'";
    }
  }
  if (gap < 0 && count != 8) return "IPv6 address needs eight groups or '::'";
  if (gap >= 0 && count == 8) return "'::' must stand for at least one group";
  U128 value = 0;
  const int zeros = 8 - count;
  int g = 0;
  for (int slot = 0; slot < 8; ++slot) {
    uint16_t word = 0;
    if (gap >= 0 && slot >= gap && slot < gap + zeros) {
      word = 0;
    } else {
      word = groups[g++];
    }
    value = (value << 16) | word;
  }
  out = value;
  return nullptr;
}

char* writeDecimal(char* p, uint32_t v) {
  char tmp[10];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

char* writeHexGroup(char* p, uint16_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const int nibble = (v >> shift) & 0xf;
    if (nibble != 0 || started || shift == 0) {
      *p++ = kHex[nibble];
      started = true;
    }
  }
  return p;
}

char* writeV4(char* p, uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    p = writeDecimal(p, (v >> (i * 8)) & 0xff);
    if (i != 0) *p++ = '.';
  }
  return p;
}

}  // namespace

std::string_view familyName(Family family) {
  return family == Family::kV4 ? "IPv4" : "IPv6";
}

IpAddress IpAddress::fromV4Bytes(const uint8_t* b) {
  return v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
}

IpAddress IpAddress::fromV6Bytes(const uint8_t* b) {
  U128 v = 0;
  for (int i = 0; i < 16; ++i)
    v = (v << 8) | b[i];
  return v6(v);
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty()) return ipError(text, "empty");
  if (text.find(':') != std::string_view::npos) {
    U128 value = 0;
    if (const char* why = parseV6(text, value)) return ipError(text, why);
    if ((value >> 32) == 0xffff) {
      return ipError(text, "IPv4-mapped IPv6 address is not allowed; write the IPv4 form");
    }
    return v6(value);
  }
  uint32_t value = 0;
  if (const char* why = parseV4(text, value)) return ipError(text, why);
  return v4(value);
}

std::size_t IpAddress::toBytes(uint8_t* out) const {
  const int n = isV4() ? 4 : 16;
  for (int i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(value_ >> ((n - 1 - i) * 8));
  }
  return static_cast<std::size_t>(n);
}

std::array<uint8_t, 16> IpAddress::v6Bytes() const {
  std::array<uint8_t, 16> out{};
  for (int i = 0; i < 16; ++i)
    out[i] = static_cast<uint8_t>(value_ >> ((15 - i) * 8));
  return out;
}

std::size_t IpAddress::formatTo(char (&out)[kMaxTextLength]) const {
  char* p = out;
  if (isV4()) {
    p = writeV4(p, v4Value());
  } else {
    uint16_t g[8];
    for (int i = 0; i < 8; ++i)
      g[i] = static_cast<uint16_t>(value_ >> ((7 - i) * 16));
    // RFC 5952 §4.2: compress the longest run (>= 2) of zero groups, the first on a tie.
    int best = -1, bestLen = 0;
    for (int i = 0; i < 8;) {
      if (g[i] != 0) {
        ++i;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0)
        ++j;
      if (j - i > bestLen && j - i >= 2) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    // IPv4-mapped (::ffff:a.b.c.d) keeps its dotted tail (RFC 5952 §5).
    const bool mapped = (value_ >> 32) == 0xffff;
    const int words = mapped ? 6 : 8;
    if (mapped) {
      best = 0;
      bestLen = 5;
    }
    for (int i = 0; i < words;) {
      if (i == best) {
        *p++ = ':';
        *p++ = ':';
        i += bestLen;
        continue;
      }
      if (i != 0 && i != best + bestLen) *p++ = ':';
      p = writeHexGroup(p, g[i]);
      ++i;
    }
    if (mapped) {
      *p++ = ':';
      p = writeV4(p, static_cast<uint32_t>(value_));
    }
  }
  *p = '\0';
  return static_cast<std::size_t>(p - out);
}

std::string IpAddress::toString() const {
  char buf[kMaxTextLength];
  const std::size_t n = formatTo(buf);
  return std::string(buf, n);
}

std::optional<IpAddress> IpAddress::plus(U128 n) const {
  const U128 max = familyMax(family_);
  if (n > max - value_) return std::nullopt;
  return IpAddress(family_, value_ + n);
}

std::optional<IpAddress> IpAddress::minus(U128 n) const {
  if (n > value_) return std::nullopt;
  return IpAddress(family_, value_ - n);
}

std::size_t IpAddressHash::operator()(const IpAddress& ip) const noexcept {
  // Mix both halves and the family (splitmix64 finaliser): good spread for sequential addresses.
  uint64_t x = high64(ip.value()) * 0x9e3779b97f4a7c15ull ^ low64(ip.value()) ^
               (static_cast<uint64_t>(ip.family()) << 56);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<std::size_t>(x);
}

std::string u128ToString(U128 value) {
  if (value == 0) return "0";
  char buf[40];
  int n = 0;
  while (value != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  }
  std::string out(static_cast<std::size_t>(n), '0');
  for (int i = 0; i < n; ++i)
    out[static_cast<std::size_t>(i)] = buf[n - 1 - i];
  return out;
}

}  // namespace ironlb::net
