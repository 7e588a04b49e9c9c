#pragma once
// Wall time as RFC 3339 text in UTC ("2024-05-01T09:12:44Z"), the one formatter for the three
// places that write it: log lines (milliseconds), Lease times (microseconds, MicroTime) and
// Event timestamps (whole seconds, Time).

#include <string>

#include "common/util/clock.h"

namespace ironlb::util {

enum class Rfc3339Fraction { kSeconds, kMillis, kMicros };

// Appends without a temporary string (the log formatter calls this for every line).
void appendRfc3339(std::string& out, WallTime t, Rfc3339Fraction fraction);
std::string formatRfc3339(WallTime t, Rfc3339Fraction fraction);

}  // namespace ironlb::util
