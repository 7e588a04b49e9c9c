// Flag value setters: what each accepts, and what it stores.
#include "common/cli/flag_values.h"

#include <gtest/gtest.h>

namespace ironlb::cli {
namespace {

using namespace std::chrono_literals;

TEST(FlagValuesTest, Integer) {
  int v = 0;
  const Setter set = integer(v, 1, 256);
  EXPECT_TRUE(set("256").ok());
  EXPECT_EQ(v, 256);
  for (const char* bad : {"0", "257", "x", "3x", "-1", " 3"}) {
    const Status st = set(bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error(), "expected an integer from 1 to 256");
  }
  EXPECT_EQ(v, 256) << "a bad value stores nothing";
}

TEST(FlagValuesTest, Durations) {
  util::Duration d{};
  const Setter set = duration(d);
  const std::pair<const char*, util::Duration> good[] = {
      {"500ms", 500ms}, {"15s", 15s}, {"2m", 2min}};
  for (const auto& [text, want] : good) {
    ASSERT_TRUE(set(text).ok()) << text;
    EXPECT_EQ(d, want) << text;
  }
  for (const char* bad : {"0", "0s", "5", "s", "1h", "-1s"})
    EXPECT_FALSE(set(bad).ok()) << bad;
  const Setter orZero = durationOrZero(d);
  ASSERT_TRUE(orZero("0").ok());
  EXPECT_EQ(d, util::Duration::zero());
  ASSERT_TRUE(orZero("90s").ok());
  EXPECT_EQ(d, 90s);
  EXPECT_NE(orZero("soon").error().find(", or 0"), std::string::npos);
}

TEST(FlagValuesTest, HostPort) {
  std::string host;
  int port = -1;
  const Setter set = hostPort(host, port);
  const struct {
    const char* text;
    const char* host;
    int port;
  } good[] = {{"127.0.0.1:80", "127.0.0.1", 80}, {"[::1]:9000", "::1", 9000}, {":0", "0.0.0.0", 0}};
  for (const auto& c : good) {
    ASSERT_TRUE(set(c.text).ok()) << c.text;
    EXPECT_EQ(host, c.host);
    EXPECT_EQ(port, c.port);
  }
  EXPECT_EQ(set("7472").error(), "expected HOST:PORT");
  EXPECT_EQ(set(":70000").error(), "expected HOST:PORT with a port from 0 to 65535");
}

// docs/kubernetes-client.md, "Rate limit".
TEST(FlagValuesTest, ApiRate) {
  double v = -1;
  const Setter set = apiRate(v);
  ASSERT_TRUE(set("0").ok());
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(set("12.5").ok());
  EXPECT_EQ(v, 12.5);
  for (const char* bad : {"-1", "x", "1e9", "5qps", "nan"}) {
    const Status st = set(bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error(), "expected a number from 0 (no limit) to 1000000");
  }
}

TEST(FlagValuesTest, ListDropsEmptyEntries) {
  std::vector<std::string> v = {"old"};
  ASSERT_TRUE(list(v)("^eth9$,,^wg,").ok());
  EXPECT_EQ(v, (std::vector<std::string>{"^eth9$", "^wg"}));
}

}  // namespace
}  // namespace ironlb::cli
