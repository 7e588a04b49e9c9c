#include "common/lbconfig/names.h"

namespace ironlb::lbconfig {
namespace {

constexpr std::size_t kLabelMax = 63;
constexpr std::size_t kSubdomainMax = 253;
constexpr std::size_t kInterfaceMax = 15;  // IFNAMSIZ - 1

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isAlnum(char c) {
  return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool isRfc1123Label(std::string_view s) {
  if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!isLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool isLabelNameChars(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  for (char c : s) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string tooLong(std::size_t max) {
  return "must be no more than " + std::to_string(max) + " characters";
}

}  // namespace

std::optional<std::string> checkDns1123Label(std::string_view text) {
  if (text.size() > kLabelMax) return tooLong(kLabelMax);
  if (!isRfc1123Label(text)) {
    return std::string(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character");
  }
  return std::nullopt;
}

std::optional<std::string> checkDns1123Subdomain(std::string_view text) {
  if (text.size() > kSubdomainMax) return tooLong(kSubdomainMax);
  bool ok = !text.empty();
  std::size_t start = 0;
  while (ok) {
    const std::size_t dot = text.find('.', start);
    ok = isRfc1123Label(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!ok) {
    return std::string(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character");
  }
  return std::nullopt;
}

std::optional<std::string> checkQualifiedName(std::string_view text) {
  std::string_view name = text;
  const std::size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view prefix = text.substr(0, slash);
    name = text.substr(slash + 1);
    if (prefix.empty()) return std::string("prefix part must be non-empty");
    if (auto why = checkDns1123Subdomain(prefix)) return "prefix part is invalid: " + *why;
  }
  if (name.empty()) return std::string("name part must be non-empty");
  if (name.size() > kLabelMax) return "name part " + tooLong(kLabelMax);
  if (!isLabelNameChars(name)) {
    return std::string(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
        "end with an alphanumeric character");
  }
  return std::nullopt;
}

std::optional<std::string> checkLabelValue(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.size() > kLabelMax) return tooLong(kLabelMax);
  if (!isLabelNameChars(text)) {
    return std::string(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character");
  }
  return std::nullopt;
}

std::optional<std::string> checkInterfaceName(std::string_view text) {
  if (text.empty()) return std::string("interface name must not be empty");
  if (text.size() > kInterfaceMax) {
    return "interface name " + tooLong(kInterfaceMax) + " (Linux IFNAMSIZ)";
  }
  if (text == "." || text == "..") return std::string("interface name cannot be \".\" or \"..\"");
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == ':') return std::string("interface name cannot contain '/' or ':'");
    if (c == ' ' || (u >= '\t' && u <= '\r')) {
      return std::string("interface name cannot contain whitespace");
    }
    if (u < 0x20 || u == 0x7f)
      return std::string("interface name cannot contain control characters");
  }
  return std::nullopt;
}

}  // namespace ironlb::lbconfig
