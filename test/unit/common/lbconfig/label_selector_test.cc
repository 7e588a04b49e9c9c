#include "common/lbconfig/label_selector.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

LabelSelector sel(std::vector<Requirement> r) {
  return LabelSelector(std::move(r));
}

TEST(LabelSelectorTest, MatchesWithApiSemantics) {
  const Labels web{{"app", "web"}, {"tier", "front"}};
  const Labels none;
  const struct {
    LabelSelector selector;
    const Labels& labels;
    bool expected;
  } cases[] = {
      {LabelSelector(), none, true},
      {sel({{"app", SelectorOp::kIn, {"web"}}}), web, true},
      {sel({{"app", SelectorOp::kIn, {"db", "web"}}}), web, true},
      {sel({{"app", SelectorOp::kIn, {"db"}}}), web, false},
      {sel({{"app", SelectorOp::kIn, {"web"}}}), none, false},
      {sel({{"app", SelectorOp::kNotIn, {"db"}}}), web, true},
      {sel({{"app", SelectorOp::kNotIn, {"web"}}}), web, false},
      {sel({{"app", SelectorOp::kNotIn, {"web"}}}), none, true},  // absent key matches NotIn
      {sel({{"app", SelectorOp::kExists, {}}}), web, true},
      {sel({{"app", SelectorOp::kExists, {}}}), none, false},
      {sel({{"legacy", SelectorOp::kDoesNotExist, {}}}), web, true},
      {sel({{"app", SelectorOp::kDoesNotExist, {}}}), web, false},
      {sel({{"app", SelectorOp::kIn, {"web"}}, {"tier", SelectorOp::kIn, {"back"}}}), web, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.selector.matches(c.labels), c.expected) << c.selector.toString();
  }
}

TEST(LabelSelectorTest, NormalizesSoEqualMeaningComparesEqual) {
  const auto a = sel({{"b", SelectorOp::kIn, {"y", "x", "x"}}, {"a", SelectorOp::kExists, {}}});
  const auto b = sel({{"a", SelectorOp::kExists, {}}, {"b", SelectorOp::kIn, {"x", "y"}}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.toString(), "a,b in (x,y)");
  EXPECT_EQ(
      sel({{"a", SelectorOp::kNotIn, {"v"}}, {"b", SelectorOp::kDoesNotExist, {}}}).toString(),
      "a!=v,!b");
}

TEST(LabelSelectorTest, AnyMatchesOrsAndHonoursEmptyDefault) {
  const Labels l{{"zone", "a"}};
  EXPECT_TRUE(anyMatches({}, l, true));
  EXPECT_FALSE(anyMatches({}, l, false));
  EXPECT_TRUE(
      anyMatches({sel({{"zone", SelectorOp::kIn, {"b"}}}), sel({{"zone", SelectorOp::kIn, {"a"}}})},
                 l, false));
  EXPECT_FALSE(anyMatches({sel({{"zone", SelectorOp::kIn, {"b"}}})}, l, true));
}

}  // namespace
}  // namespace ironlb::lbconfig
