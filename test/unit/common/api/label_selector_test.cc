#include "common/api/label_selector_json.h"

#include <gtest/gtest.h>

#include "test/support/api_encoders.h"

namespace ironlb::api {
namespace {

using nlohmann::json;

TEST(ApiLabelSelectorTest, DecodesAsWrittenAndRoundTrips) {
  const json doc = json::parse(R"({"s": [
    {"matchLabels": {"zone": "a", "kubernetes.io/os": "linux"}},
    {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]},
                          {"key": "legacy", "operator": "DoesNotExist"},
                          {"key": "x", "operator": "Bogus", "values": []}]},
    {}
  ]})");
  JsonReader reader(doc);
  std::vector<LabelSelector> selectors;
  decodeLabelSelectors(reader, reader.root()["s"], selectors);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ(selectors.size(), 3u);
  EXPECT_EQ(selectors[0].matchLabels.at("kubernetes.io/os"), "linux");
  ASSERT_EQ(selectors[1].matchExpressions.size(), 3u);
  EXPECT_EQ(selectors[1].matchExpressions[0],
            (LabelSelectorRequirement{"tier", "In", {"web", "api"}}));
  EXPECT_EQ(selectors[1].matchExpressions[2].op, "Bogus");  // validation is lbconfig's job
  EXPECT_EQ(selectors[2], LabelSelector{});

  for (const auto& s : selectors) {
    const json encoded = {{"s", encodeLabelSelector(s)}};
    JsonReader again(encoded);
    LabelSelector back;
    decodeLabelSelector(again, again.root()["s"], back);
    EXPECT_TRUE(again.ok());
    EXPECT_EQ(back, s);
  }
}

TEST(ApiLabelSelectorTest, WrongShapesAreErrors) {
  const struct {
    const char* json;
    const char* error;
  } cases[] = {
      {R"({"s": [null]})", "s[0]: expected an object, got null"},
      {R"({"s": ["app=web"]})", "s[0]: expected an object, got \"app=web\""},
      {R"({"s": {"matchLabels": {}}})", "s: expected a list, got an object {\"matchLabels\":{}}"},
      {R"({"s": [{"matchLabels": ["a"]}]})",
       "s[0].matchLabels: expected an object, got a list [\"a\"]"},
      {R"({"s": [{"matchExpressions": [{"key": "a", "operator": "In", "values": "b"}]}]})",
       "s[0].matchExpressions[0].values: expected a list, got \"b\""},
      {R"({"s": [{"matchExpressions": [null]}]})",
       "s[0].matchExpressions[0]: expected an object, got null"},
  };
  for (const auto& c : cases) {
    const json doc = json::parse(c.json);
    JsonReader reader(doc);
    std::vector<LabelSelector> selectors;
    decodeLabelSelectors(reader, reader.root()["s"], selectors);
    ASSERT_EQ(reader.errors().size(), 1u) << c.json;
    EXPECT_EQ(reader.errors()[0], c.error);
  }
}

}  // namespace
}  // namespace ironlb::api
