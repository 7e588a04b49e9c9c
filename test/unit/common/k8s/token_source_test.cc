#include "common/k8s/token_source.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "temp_dir.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

TEST(TokenSourceTest, FixedTokenIsTrimmed) {
  auto t = TokenSource::fixed(" abc\n");
  EXPECT_EQ(*t->token(), "abc");
}

TEST(TokenSourceTest, RereadsWhenTheFileChanges) {
  TempDir dir;
  util::ManualClock clock;
  const std::string path = dir.write("token", "one\n");
  auto t = TokenSource::fromFile(path, clock, 1h);
  EXPECT_EQ(*t->token(), "one");
  EXPECT_EQ(*t->token(), "one");
  EXPECT_EQ(t->reads(), 1) << "unchanged file is not re-read";
  dir.write("token", "second\n");  // size changes
  EXPECT_EQ(*t->token(), "second");
  EXPECT_EQ(t->reads(), 2);
}

TEST(TokenSourceTest, RereadsSameSizeRewriteByMtime) {
  TempDir dir;
  util::ManualClock clock;
  const std::string path = dir.write("token", "aaaa");
  auto t = TokenSource::fromFile(path, clock, 1h);
  EXPECT_EQ(*t->token(), "aaaa");
  dir.write("token", "bbbb");
  // Force a distinct mtime even on coarse-timestamp filesystems.
  std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) + 2s);
  EXPECT_EQ(*t->token(), "bbbb");
}

TEST(TokenSourceTest, RereadsAfterMaxAgeEvenIfStatLooksTheSame) {
  TempDir dir;
  util::ManualClock clock;
  const std::string path = dir.write("token", "x");
  auto t = TokenSource::fromFile(path, clock, 60s);
  EXPECT_EQ(*t->token(), "x");
  clock.advance(59s);
  EXPECT_EQ(*t->token(), "x");
  EXPECT_EQ(t->reads(), 1);
  clock.advance(1s);
  EXPECT_EQ(*t->token(), "x");
  EXPECT_EQ(t->reads(), 2);
}

TEST(TokenSourceTest, InvalidateForcesAReread) {
  TempDir dir;
  util::ManualClock clock;
  auto t = TokenSource::fromFile(dir.write("token", "x"), clock, 1h);
  EXPECT_EQ(*t->token(), "x");
  t->invalidate();
  EXPECT_EQ(*t->token(), "x");
  EXPECT_EQ(t->reads(), 2);
}

TEST(TokenSourceTest, KeepsLastGoodTokenWhenTheFileDisappears) {
  TempDir dir;
  util::ManualClock clock;
  const std::string path = dir.write("token", "good");
  auto t = TokenSource::fromFile(path, clock, 1s);
  EXPECT_EQ(*t->token(), "good");
  std::filesystem::remove(path);
  clock.advance(2s);
  auto again = t->token();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "good");
}

TEST(TokenSourceTest, UnreadableFromTheStartIsAnError) {
  util::ManualClock clock;
  auto t = TokenSource::fromFile("/no/such/token", clock);
  auto r = t->token();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("/no/such/token"), std::string::npos);
}

}  // namespace
}  // namespace ironlb::k8s
