#pragma once
// Splitting and trimming the short texts that flags, annotations, mounted files and test tools
// hand us.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ironlb::util {

// Every part between separators, empty ones and surrounding blanks kept: "a,,b" gives
// {"a", "", "b"} and "" gives {""}. Callers decide what an empty or padded part means.
// The views point into `text`.
std::vector<std::string_view> splitList(std::string_view text, char separator = ',');

inline constexpr std::string_view kSpaceTab = " \t";        // inside one line (annotations)
inline constexpr std::string_view kWhitespace = " \t\r\n";  // whole files (tokens, namespace)

// `text` without the leading and trailing characters found in `chars`.
std::string_view trim(std::string_view text, std::string_view chars);

// The elements of `items` as text (`text(element)`), with `separator` between them:
// joinList(ips, ", ", toString) == "192.0.2.1, 2001:db8::1"; nothing for an empty range.
template <class Range, class ToText>
std::string joinList(const Range& items, std::string_view separator, ToText&& text) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.append(separator);
    first = false;
    out += text(item);
  }
  return out;
}

// The same for strings as they are: joinList({"a", "b"}) == "a, b".
std::string joinList(std::span<const std::string> parts, std::string_view separator = ", ");

}  // namespace ironlb::util
