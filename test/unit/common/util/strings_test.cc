// splitList keeps every part (callers decide about empty ones); trim removes only given chars.
#include "common/util/strings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ironlb::util {
namespace {

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view part : splitList(text))
    out.emplace_back(part);
  return out;
}

TEST(SplitList, KeepsEveryPartInOrder) {
  struct Case {
    std::string_view text;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"", {""}},
      {"a", {"a"}},
      {"a,b", {"a", "b"}},
      {"a,,b", {"a", "", "b"}},
      {",a,", {"", "a", ""}},
      {" a , b ", {" a ", " b "}},
      {"192.0.2.1,2001:db8::1", {"192.0.2.1", "2001:db8::1"}},
  };
  for (const auto& c : cases)
    EXPECT_EQ(split(c.text), c.want) << '"' << c.text << '"';
}

TEST(SplitList, OtherSeparator) {
  const auto parts = splitList("a;b,c", ';');
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1], "b,c");
}

TEST(Trim, RemovesOnlyTheGivenCharactersAtTheEnds) {
  EXPECT_EQ(trim("  a b\t", kSpaceTab), "a b");
  EXPECT_EQ(trim(" \t ", kSpaceTab), "");
  EXPECT_EQ(trim("", kWhitespace), "");
  EXPECT_EQ(trim("tok\n", kSpaceTab), "tok\n");  // a newline is not a blank inside a line
  EXPECT_EQ(trim("\r\ntok \n", kWhitespace), "tok");
}

TEST(JoinList, PutsTheSeparatorBetweenPartsOnly) {
  const std::vector<std::string> none, one = {"a"}, three = {"a", "", "c"};
  EXPECT_EQ(joinList(none), "");
  EXPECT_EQ(joinList(one), "a");
  EXPECT_EQ(joinList(three), "a, , c");
  EXPECT_EQ(joinList(three, "|"), "a||c");
}

TEST(JoinList, TurnsEachElementIntoTextFirst) {
  const int numbers[] = {1, 22, 333};
  EXPECT_EQ(joinList(numbers, ",", [](int n) { return std::to_string(n); }), "1,22,333");
}

}  // namespace
}  // namespace ironlb::util
