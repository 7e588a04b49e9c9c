#include "common/k8s/line_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ironlb::k8s {
namespace {

std::vector<std::string> feedAll(LineBuffer& b, const std::vector<std::string>& chunks) {
  std::vector<std::string> lines;
  for (const auto& c : chunks) {
    EXPECT_EQ(b.feed(c,
                     [&](std::string_view l) {
                       lines.emplace_back(l);
                       return true;
                     }),
              LineBuffer::FeedResult::kOk);
  }
  return lines;
}

TEST(LineBufferTest, ReassemblesLinesSplitAnywhere) {
  LineBuffer b;
  const auto lines = feedAll(b, {"{\"a\"", ":1}\n{\"b\":2}\n{\"c", "\":3}", "\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  EXPECT_EQ(b.pending(), 0u);
}

TEST(LineBufferTest, StripsCarriageReturnsAndSkipsEmptyLines) {
  LineBuffer b;
  const auto lines = feedAll(b, {"a\r\n\n\r\nb\n"});
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));
}

TEST(LineBufferTest, HoldsAnUnfinishedLine) {
  LineBuffer b;
  EXPECT_TRUE(feedAll(b, {"partial"}).empty());
  EXPECT_EQ(b.pending(), 7u);
}

TEST(LineBufferTest, StopsWhenTheHandlerSaysSo) {
  LineBuffer b;
  int calls = 0;
  EXPECT_EQ(b.feed("a\nb\nc\n",
                   [&](std::string_view) {
                     ++calls;
                     return calls < 2;
                   }),
            LineBuffer::FeedResult::kStopped);
  EXPECT_EQ(calls, 2);
}

TEST(LineBufferTest, RefusesOverlongLines) {
  LineBuffer b(8);
  auto noop = [](std::string_view) { return true; };
  EXPECT_EQ(b.feed("12345", noop), LineBuffer::FeedResult::kOk);
  EXPECT_EQ(b.feed("67890", noop), LineBuffer::FeedResult::kLineTooLong);
  LineBuffer c(8);
  EXPECT_EQ(c.feed("123456789012\n", noop), LineBuffer::FeedResult::kOk)
      << "a complete line in one chunk is delivered without buffering";
}

}  // namespace
}  // namespace ironlb::k8s
