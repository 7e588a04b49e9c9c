#include "common/util/rfc3339.h"

#include <cstdio>
#include <ctime>

namespace ironlb::util {

void appendRfc3339(std::string& out, WallTime t, Rfc3339Fraction fraction) {
  const auto since = t.time_since_epoch();
  const auto secs = std::chrono::floor<std::chrono::seconds>(since);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since - secs).count();
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out.append(buf, static_cast<std::size_t>(n));
  switch (fraction) {
    case Rfc3339Fraction::kSeconds:
      break;
    case Rfc3339Fraction::kMillis:
      std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(micros / 1000));
      out += buf;
      break;
    case Rfc3339Fraction::kMicros:
      std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(micros));
      out += buf;
      break;
  }
  out += 'Z';
}

std::string formatRfc3339(WallTime t, Rfc3339Fraction fraction) {
  std::string out;
  appendRfc3339(out, t, fraction);
  return out;
}

}  // namespace ironlb::util
