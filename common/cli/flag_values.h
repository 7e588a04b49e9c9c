#pragma once
// Setters for FlagTable (flag_table.h): each parses one kind of value and stores it where it
// was bound. Errors say what was expected; the table adds the flag and the value.

#include <string>
#include <string_view>
#include <vector>

#include "common/cli/flag_table.h"
#include "common/util/clock.h"

namespace ironlb::cli {

Setter text(std::string& dst);
Setter boolean(bool& dst);                      // parseBool (flag_table.h)
Setter integer(int& dst, int min, int max);     // inclusive bounds
Setter duration(util::Duration& dst);           // "500ms", "15s", "2m" (at least 1)
Setter durationOrZero(util::Duration& dst);     // the same, or "0"
Setter hostPort(std::string& host, int& port);  // "host:port", "[v6]:port", ":port" (0.0.0.0)
Setter apiRate(double& dst);                    // 0 (no limit) to 1000000, fractions allowed
Setter list(std::vector<std::string>& dst);     // "a,b"; empty entries dropped

// Any parser returning Result<T> (e.g. util::parseLogLevel).
template <class T, class Parse>
Setter parsed(T& dst, Parse parse) {
  return [&dst, parse](const std::string& value) -> Status {
    auto v = parse(value);
    if (!v) return makeError(v.error());
    dst = *v;
    return {};
  };
}

Result<int> parseInteger(std::string_view text, int min, int max);

}  // namespace ironlb::cli
