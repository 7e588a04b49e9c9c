#include "common/util/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace ironlb::util {
namespace {

// A real /proc/<pid>/stat line of a process whose name holds ") (" and spaces.
constexpr const char* kStat =
    "4242 (ironlb) (x y) S 1 4242 4242 0 -1 4194560 1500 0 3 0 250 75 0 0 20 0 3 0 123456 "
    "104857600 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesStatFieldsCountedFromTheLastParenthesis) {
  auto st = parseProcStat(kStat);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->utimeTicks, 250u);
  EXPECT_EQ(st->stimeTicks, 75u);
  EXPECT_EQ(st->startTimeTicks, 123456u);
  EXPECT_EQ(st->vsizeBytes, 104857600u);
  EXPECT_EQ(st->rssPages, 2048);
}

TEST(ProcessMetricsTest, RejectsTruncatedOrMalformedStat) {
  EXPECT_FALSE(parseProcStat(""));
  EXPECT_FALSE(parseProcStat("4242 ironlb S 1 2 3"));
  EXPECT_FALSE(parseProcStat("4242 (ironlb) S 1 4242 4242 0 -1 4194560 1500 0 3 0 250"));
  std::string bad = kStat;
  bad.replace(bad.find("250"), 3, "2x0");
  EXPECT_FALSE(parseProcStat(bad));
}

TEST(ProcessMetricsTest, FindsBootTime) {
  EXPECT_EQ(parseBootTime("cpu  1 2 3\nintr 5\nbtime 1764979200\nprocesses 9\n"), 1764979200u);
  EXPECT_FALSE(parseBootTime("cpu  1 2 3\n"));
  EXPECT_FALSE(parseBootTime("btime soon\n"));
}

double sample(const std::string& text, const std::string& name) {
  const auto pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return -2;
  return std::stod(text.substr(pos + name.size() + 2));
}

TEST(ProcessMetricsTest, ScrapeReportsThisProcess) {
  MetricsRegistry reg;
  ProcessMetrics process(reg);
  std::vector<int> fds;
  const std::string before = reg.render();
  for (int i = 0; i < 5; ++i)
    fds.push_back(::dup(1));
  const std::string after = reg.render();  // the scrape hook reads /proc again
  for (int fd : fds)
    ::close(fd);
  EXPECT_GE(sample(after, "process_open_fds"), sample(before, "process_open_fds") + 5);
  EXPECT_GT(sample(after, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(sample(after, "process_virtual_memory_bytes"), 1 << 20);
  EXPECT_GT(sample(after, "process_max_fds"), 0);
  EXPECT_GE(sample(after, "process_cpu_seconds_total"), 0);
  const double start = sample(after, "process_start_time_seconds");
  const double now = static_cast<double>(::time(nullptr));
  EXPECT_GT(start, now - 3600) << "the test process started within the hour";
  EXPECT_LE(start, now + 1);
  EXPECT_NE(after.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
}

TEST(ProcessMetricsTest, CounterSetTotalNeverGoesDown) {
  Counter c;
  c.setTotal(5);
  c.setTotal(3);
  EXPECT_EQ(c.value(), 5);
  c.setTotal(7.5);
  EXPECT_EQ(c.value(), 7.5);
}

}  // namespace
}  // namespace ironlb::util
