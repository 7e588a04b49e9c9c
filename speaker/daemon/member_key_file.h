#pragma once
// The membership key as the operator gives it: the content of --memberlist-key-file (the chart's
// Secret; trailing newline, carriage return and spaces trimmed) or IRONLB_MEMBERLIST_KEY. One
// place says what a usable key is, and every problem is an error naming the file and what is
// wrong, so the start-up failure and the periodic re-read (rotation) say the same thing.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace ironlb::speaker {

inline constexpr std::size_t kMinMemberKeyBytes = 16;

// The key in `path`, or an error: the file cannot be read (with the system's reason), or it
// holds fewer than kMinMemberKeyBytes after trimming (an empty file says so).
Result<std::vector<uint8_t>> loadMemberKeyFile(const std::string& path);

// A key given directly (IRONLB_MEMBERLIST_KEY): an error when shorter than kMinMemberKeyBytes.
Status checkMemberKey(const std::vector<uint8_t>& key);

}  // namespace ironlb::speaker
