#pragma once
// Splitting and trimming the short texts that flags, annotations, mounted files and test tools
// hand us.

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

}  // namespace ironlb::util
