#include "common/api/json_reader.h"

#include <gtest/gtest.h>

#include <limits>
#include <tuple>

namespace ironlb::api {
namespace {

using nlohmann::json;

TEST(FieldPathTest, SpellsPathsOneWay) {
  const struct {
    std::string parent;
    std::string key;
    std::string expected;
  } cases[] = {
      {"", "metadata", "metadata"},
      {"spec", "addresses", "spec.addresses"},
      {"metadata.labels", "kubernetes.io/service-name",
       "metadata.labels[\"kubernetes.io/service-name\"]"},
      {"metadata.labels", "app", "metadata.labels.app"},
      {"x", "", "x[\"\"]"},
      {"x", "9lives", "x[\"9lives\"]"},
      {"x", "a\"b", "x[\"a\\\"b\"]"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(childPath(c.parent, c.key), c.expected) << c.key;
  EXPECT_EQ(indexPath("spec.addresses", 3), "spec.addresses[3]");
  EXPECT_EQ(indexPath("", 0), "[0]");
}

TEST(FieldTest, NavigatesAndReportsAbsence) {
  const json doc = json::parse(R"({"spec": {"addresses": ["a", "b"], "n": null}, "s": "x"})");
  const Field root(&doc, "");
  EXPECT_FALSE(root["spec"].absent());
  EXPECT_EQ(root["spec"]["addresses"][1].value()->get<std::string>(), "b");
  EXPECT_EQ(root["spec"]["addresses"][1].path(), "spec.addresses[1]");
  EXPECT_TRUE(root["spec"]["addresses"][2].absent());
  EXPECT_TRUE(root["spec"]["n"].absent());             // null reads as absent
  EXPECT_TRUE(root["s"]["deeper"].absent());           // member of a non-object
  EXPECT_TRUE(root["spec"][std::size_t{0}].absent());  // element of a non-array
  EXPECT_EQ(root["spec"]["addresses"].size(), 2u);
  EXPECT_EQ(root["s"].size(), 0u);
}

TEST(DescribeTest, QuotesEscapesAndTruncates) {
  EXPECT_EQ(describeString("yes"), "\"yes\"");
  EXPECT_EQ(describeString("a\nb"), "\"a\\nb\"");  // cannot forge a log line
  const std::string longText(1000, 'x');
  const std::string shown = describeString(longText);
  EXPECT_LT(shown.size(), 100u);
  EXPECT_EQ(shown.front(), '"');
  EXPECT_EQ(shown.back(), '"');
  EXPECT_NE(shown.find("..."), std::string::npos);
  EXPECT_EQ(describeValue(json(12)), "12");
  EXPECT_EQ(describeValue(json::parse("[1,2]")), "[1,2]");
  // Invalid UTF-8 built in code must not make dump() throw.
  EXPECT_NO_THROW(describeValue(json(std::string("\xff\xfe"))));
  EXPECT_NO_THROW(describeString(std::string("\xff\xfe")));
  // Cutting a long multi-byte string never splits a character.
  std::string snowmen;
  for (int i = 0; i < 100; ++i)
    snowmen += "\xe2\x98\x83";
  const std::string cut = describeString(snowmen);
  EXPECT_NO_THROW(std::ignore = json::parse("[" + cut.substr(0, cut.size() - 4) + "\"]"));
}

TEST(DescribeTest, DeepAndWideValuesAreCheap) {
  // 100,000 levels: dump() would recurse once per level; the renderer stops at a few.
  json deep = json::array();
  for (int i = 0; i < 100000; ++i)
    deep = json::array({std::move(deep)});
  EXPECT_EQ(describeValue(deep), "[[[[[...]]]]]");
  json wide = json::object();
  for (int i = 0; i < 100000; ++i)
    wide["k" + std::to_string(i)] = i;
  const std::string shown = describeValue(wide);
  EXPECT_LT(shown.size(), 120u);
  EXPECT_EQ(shown.substr(0, 15), "{\"k0\":0,\"k1\":1,");
  EXPECT_EQ(describeValue(json::parse(R"({"a":[1,{"b":null}],"c":"x"})")),
            R"({"a":[1,{"b":null}],"c":"x"})");
}

TEST(JsonReaderTest, TypeMismatchesAreErrorsNotExceptions) {
  const json doc = json::parse(R"({
    "b": "yes", "s": 5, "i": "7", "f": 1.5, "big": 18446744073709551615,
    "list": "x", "map": [1], "strs": ["a", 1, null], "labels": {"a": "b", "c": 3}
  })");
  JsonReader reader(doc);
  const Field root = reader.root();
  bool b = false;
  std::string s;
  int64_t i = 0;
  int32_t f = 0;
  int64_t big = 0;
  std::vector<std::string> list;
  StringMap map;
  std::vector<std::string> strs;
  StringMap labels;
  EXPECT_NO_THROW({
    reader.read(root["b"], b);
    reader.read(root["s"], s);
    reader.read(root["i"], i);
    reader.read(root["f"], f);
    reader.read(root["big"], big);
    reader.read(root["list"], list);
    reader.read(root["map"], map);
    reader.read(root["strs"], strs);
    reader.read(root["labels"], labels);
  });
  const std::vector<std::string> expected = {
      "b: expected a boolean, got \"yes\"",
      "s: expected a string, got 5",
      "i: expected an integer, got \"7\"",
      "f: expected an integer, got 1.5",
      "big: integer 18446744073709551615 is out of range -9223372036854775808..9223372036854775807",
      "list: expected a list, got \"x\"",
      "map: expected an object, got a list [1]",
      "strs[1]: expected a string, got 1",
      "strs[2]: expected a string, got null",
      "labels.c: expected a string, got 3",
  };
  EXPECT_EQ(reader.errors(), expected);
  EXPECT_EQ(strs, std::vector<std::string>{"a"});
  EXPECT_EQ(labels, (StringMap{{"a", "b"}}));
  EXPECT_EQ(reader.error("Thing ns/x").message.substr(0, 42),
            "Thing ns/x: b: expected a boolean, got \"ye");
}

TEST(JsonReaderTest, IntegerRanges) {
  const struct {
    const char* json;
    bool ok32;
    int64_t value;
  } cases[] = {
      {"0", true, 0},
      {"-1", true, -1},
      {"2147483647", true, 2147483647},
      {"2147483648", false, 0},
      {"-2147483649", false, 0},
      {"3.0", true, 3},
      {"1e3", true, 1000},
      {"1e300", false, 0},
      {"-0.0", true, 0},
      {"9223372036854775807", false, 0},
  };
  for (const auto& c : cases) {
    const json doc = json::parse(std::string("{\"v\":") + c.json + "}");
    JsonReader reader(doc);
    int32_t v = 0;
    reader.read(reader.root()["v"], v);
    EXPECT_EQ(reader.ok(), c.ok32) << c.json;
    if (c.ok32) {
      EXPECT_EQ(v, c.value) << c.json;
    }
  }
  // int64 bounds are exact.
  const json doc = json::parse(R"({"max": 9223372036854775807, "min": -9223372036854775808,
                                   "over": 9.3e18, "under": -9.3e18})");
  JsonReader reader(doc);
  int64_t max = 0, min = 0, over = 0, under = 0;
  reader.read(reader.root()["max"], max);
  reader.read(reader.root()["min"], min);
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(max, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(min, std::numeric_limits<int64_t>::min());
  reader.read(reader.root()["over"], over);
  reader.read(reader.root()["under"], under);
  EXPECT_EQ(reader.errors().size(), 2u);
}

TEST(JsonReaderTest, AbsentAndNullLeaveDefaults) {
  const json doc = json::parse(R"({"n": null})");
  JsonReader reader(doc);
  bool b = true;
  std::optional<bool> ob;
  std::string s = "keep";
  std::vector<std::string> list = {"keep"};
  reader.read(reader.root()["n"], b);
  reader.read(reader.root()["missing"], ob);
  reader.read(reader.root()["n"], s);
  reader.read(reader.root()["n"], list);
  EXPECT_TRUE(reader.ok());
  EXPECT_TRUE(b);
  EXPECT_FALSE(ob.has_value());
  EXPECT_EQ(s, "keep");
  EXPECT_EQ(list.size(), 1u);
  EXPECT_FALSE(reader.object(reader.root()["n"]));
  EXPECT_TRUE(reader.ok());
  EXPECT_FALSE(reader.requiredObject(reader.root()["n"]));
  EXPECT_FALSE(reader.ok());
}

TEST(JsonReaderTest, ErrorCountIsBounded) {
  json doc = json::object();
  doc["list"] = json::array();
  for (int i = 0; i < 10000; ++i)
    doc["list"].push_back(i);
  JsonReader reader(doc);
  std::vector<std::string> out;
  reader.read(reader.root()["list"], out);
  EXPECT_EQ(reader.errors().size(), JsonReader::kMaxErrors);
  const std::string message = reader.error("X").message;
  EXPECT_NE(message.find("and " + std::to_string(10000 - JsonReader::kMaxErrors) + " more"),
            std::string::npos);
  EXPECT_LT(message.size(), 2000u);
}

}  // namespace
}  // namespace ironlb::api
