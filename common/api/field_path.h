#pragma once
// How error messages about API objects spell a field and quote a value: the one definition both
// the JSON decoders and lbconfig's validation use, so a message reads the same whichever step
// found the problem.

#include <cstddef>
#include <string>
#include <string_view>

namespace ironlb::api {

// Field path helpers: childPath("spec", "addresses") == "spec.addresses";
// childPath("metadata.labels", "a/b") == "metadata.labels[\"a/b\"]" (keys that are not plain
// identifiers are quoted); indexPath("spec.addresses", 3) == "spec.addresses[3]".
std::string childPath(std::string_view parent, std::string_view key);
std::string indexPath(std::string_view parent, std::size_t index);

// A string rendered for an error message: JSON syntax (quoted and escaped, so a newline in the
// input cannot forge a log line), cut to a readable length. Never throws.
std::string describeString(std::string_view text);

// Values longer than this many bytes are cut in messages.
inline constexpr std::size_t kMaxValueText = 80;
// `text` cut to kMaxValueText bytes on a UTF-8 character boundary, with "..." when cut.
std::string truncateForMessage(std::string text);

}  // namespace ironlb::api
