#include "common/util/rfc3339.h"

#include <gtest/gtest.h>

namespace ironlb::util {
namespace {

// 2024-02-29T23:59:59Z (a leap day) plus 123456789 ns.
WallTime leapDay() {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::seconds(1709251199) + std::chrono::nanoseconds(123456789)));
}

TEST(Rfc3339, FormatsUtcAtEachPrecisionWithoutRounding) {
  const struct {
    Rfc3339Fraction fraction;
    const char* text;
  } cases[] = {
      {Rfc3339Fraction::kSeconds, "2024-02-29T23:59:59Z"},
      {Rfc3339Fraction::kMillis, "2024-02-29T23:59:59.123Z"},
      {Rfc3339Fraction::kMicros, "2024-02-29T23:59:59.123456Z"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(formatRfc3339(leapDay(), c.fraction), c.text);
  }
}

TEST(Rfc3339, AppendsToWhatIsThere) {
  std::string line = "ts=";
  appendRfc3339(line, WallTime{}, Rfc3339Fraction::kMillis);
  EXPECT_EQ(line, "ts=1970-01-01T00:00:00.000Z");
}

TEST(Rfc3339, TimesBeforeTheEpochCountDownFromTheSecondBefore) {
  // 1969-12-31T23:59:59.750: floor to the second, then the fraction forwards from it.
  EXPECT_EQ(formatRfc3339(WallTime{} - std::chrono::milliseconds(250), Rfc3339Fraction::kMillis),
            "1969-12-31T23:59:59.750Z");
}

}  // namespace
}  // namespace ironlb::util
