#include "common/lbconfig/selector_parse.h"

#include <gtest/gtest.h>

namespace ironlb::lbconfig {
namespace {

using api::LabelSelectorRequirement;

struct Sink {
  std::vector<Issue> errors;
  std::vector<Issue> warnings;
  IssueSink sink{"L2Advertisement", "metallb-system", "l2", errors, warnings};

  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& e : errors)
      out.push_back(e.path + ": " + e.message);
    return out;
  }
};

api::LabelSelector labels(api::StringMap m) {
  return api::LabelSelector{std::move(m), {}};
}
api::LabelSelector expr(std::vector<LabelSelectorRequirement> e) {
  return api::LabelSelector{{}, std::move(e)};
}

TEST(SelectorParseTest, ValidSelectorsBecomeLabelSelectors) {
  const struct {
    api::LabelSelector input;
    std::string expected;  // LabelSelector::toString()
  } cases[] = {
      {api::LabelSelector{}, ""},
      {labels({{"kubernetes.io/hostname", "worker-1"}}), "kubernetes.io/hostname=worker-1"},
      {labels({{"app", ""}}), "app="},  // empty values are valid
      {expr({{"tier", "In", {"web", "api"}}}), "tier in (api,web)"},
      {expr({{"tier", "NotIn", {"db"}}}), "tier!=db"},
      {expr({{"gpu", "Exists", {}}}), "gpu"},
      {expr({{"legacy", "DoesNotExist", {}}}), "!legacy"},
      {api::LabelSelector{{{"a", "1"}}, {{"b", "Exists", {}}}}, "a=1,b"},
  };
  for (const auto& c : cases) {
    Sink s;
    auto parsed = parseSelector(c.input, "spec.nodeSelectors[0]", s.sink);
    ASSERT_TRUE(parsed.has_value()) << c.expected << ": " << testing::PrintToString(s.messages());
    EXPECT_EQ(parsed->toString(), c.expected);
  }
}

TEST(SelectorParseTest, InvalidSelectorsReportPathAndValue) {
  const std::string p = "spec.nodeSelectors[0]";
  const struct {
    api::LabelSelector input;
    std::vector<std::string> errors;
  } cases[] = {
      {labels({{"bad key", "v"}}),
       {p + ".matchLabels[\"bad key\"]: invalid label key \"bad key\": name part must consist of "
            "alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character"}},
      {labels({{"app", "-web"}}),
       {p + ".matchLabels.app: invalid label value \"-web\": a valid label must be an empty "
            "string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
            "end with an alphanumeric character"}},
      {labels({{"Example.COM/app", "v"}}),
       {p +
        ".matchLabels[\"Example.COM/app\"]: invalid label key \"Example.COM/app\": prefix "
        "part is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
        "characters, '-' or '.', and must start and end with an alphanumeric character"}},
      {expr({{"tier", "in", {"web"}}}),
       {p + ".matchExpressions[0].operator: \"in\" is not a valid selector operator (In, NotIn, "
            "Exists, DoesNotExist)"}},
      {expr({{"tier", "", {}}}),
       {p + ".matchExpressions[0].operator: \"\" is not a valid selector operator (In, NotIn, "
            "Exists, DoesNotExist)"}},
      {expr({{"tier", "In", {}}}),
       {p + ".matchExpressions[0].values: must be specified when operator is In (got an empty "
            "list)"}},
      {expr({{"tier", "NotIn", {}}}),
       {p + ".matchExpressions[0].values: must be specified when operator is NotIn (got an "
            "empty list)"}},
      {expr({{"gpu", "Exists", {"yes"}}}),
       {p + ".matchExpressions[0].values: may not be specified when operator is Exists (got 1 "
            "values)"}},
      {expr({{"gpu", "DoesNotExist", {"a", "b"}}}),
       {p + ".matchExpressions[0].values: may not be specified when operator is DoesNotExist "
            "(got 2 values)"}},
      {expr({{"", "Exists", {}}}),
       {p + ".matchExpressions[0].key: invalid label key \"\": name part must be non-empty"}},
      {expr({{"tier", "In", {"web", "a b"}}}),
       {p + ".matchExpressions[0].values[1]: invalid label value \"a b\": a valid label must be "
            "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"}},
      // MetalLB rejects repeated values and repeated expressions; so do we.
      {expr({{"tier", "In", {"web", "api", "web"}}}),
       {p + ".matchExpressions[0].values[2]: duplicate value \"web\" (also at " + p +
        ".matchExpressions[0].values[0])"}},
      {expr({{"tier", "In", {"a", "b"}}, {"x", "Exists", {}}, {"tier", "In", {"b", "a"}}}),
       {p + ".matchExpressions[2]: duplicate of " + p + ".matchExpressions[0]"}},
      // Several problems in one selector are all reported.
      {api::LabelSelector{{{"ok", "caf\xc3\xa9"}}, {{"k", "Bogus", {}}}},
       {p + ".matchLabels.ok: invalid label value \"caf\xc3\xa9\": a valid label must be an "
            "empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character",
        p + ".matchExpressions[0].operator: \"Bogus\" is not a valid selector operator (In, "
            "NotIn, Exists, DoesNotExist)"}},
  };
  for (const auto& c : cases) {
    Sink s;
    auto parsed = parseSelector(c.input, p, s.sink);
    EXPECT_FALSE(parsed.has_value());
    EXPECT_EQ(s.messages(), c.errors);
  }
}

TEST(SelectorParseTest, DuplicateSelectorsInAListAreErrors) {
  Sink s;
  const std::vector<api::LabelSelector> list = {
      labels({{"zone", "a"}}),       expr({{"zone", "In", {"b"}}}),
      expr({{"zone", "In", {"a"}}}),                        // same meaning as [0]
      api::LabelSelector{},          api::LabelSelector{},  // two match-everything selectors
      labels({{"bad key", "x"}}),
  };
  const auto out = parseSelectors(list, "spec.nodeSelectors", s.sink);
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(s.messages(),
            (std::vector<std::string>{
                "spec.nodeSelectors[2]: duplicate selector \"zone=a\" (same as "
                "spec.nodeSelectors[0])",
                "spec.nodeSelectors[4]: duplicate selector {} (matches everything) (same as "
                "spec.nodeSelectors[3])",
                "spec.nodeSelectors[5].matchLabels[\"bad key\"]: invalid label key \"bad key\": "
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character",
            }));
  for (const auto& e : s.errors) {
    EXPECT_EQ(e.kind, "L2Advertisement");
    EXPECT_EQ(e.name, "l2");
  }
}

TEST(SelectorParseTest, ManyValuesAndSelectorsStayFast) {
  // Duplicate detection is sort/map based: 20,000 values and 2,000 selectors are quick.
  std::vector<std::string> values;
  for (int i = 0; i < 20000; ++i)
    values.push_back("v" + std::to_string(i));
  std::vector<api::LabelSelector> list;
  for (int i = 0; i < 2000; ++i)
    list.push_back(labels({{"k", "v" + std::to_string(i)}}));
  list.push_back(expr({{"k", "In", values}}));
  Sink s;
  const auto out = parseSelectors(list, "spec.serviceSelectors", s.sink);
  EXPECT_TRUE(s.errors.empty());
  EXPECT_EQ(out.size(), 2001u);
}

}  // namespace
}  // namespace ironlb::lbconfig
