// FlagTable: sources and precedence, booleans, errors naming flag and value, help.
#include "common/cli/flag_table.h"

#include <gtest/gtest.h>

#include <map>

#include "common/cli/flag_values.h"

namespace ironlb::cli {
namespace {

struct Sample {
  std::string name = "default";
  int count = 1;
  bool on = false;
  std::string node;
};

FlagTable tableFor(Sample& s) {
  FlagTable t;
  t.section("Sample flags");
  t.add({"name", "NAME",
         "a name, see docs/sample.md; a long help text that the usage wraps at one hundred "
         "columns, so that it reads well in a terminal of common width",
         "default", text(s.name)});
  t.add({"count", "N", "how many (debug|info)", "1", integer(s.count, 1, 9)});
  t.add({"on", "", "switch it on", "false", boolean(s.on)});
  t.add({"node", "NODE", "this node", "$NODE_NAME", text(s.node), "NODE_NAME", true});
  return t;
}

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kNode = {{"NODE_NAME", "n1"}};

Result<Sample> parse(std::vector<std::string> args,
                     std::map<std::string, std::string> env = kNode) {
  Sample s;
  auto p = tableFor(s).parse(args, envOf(std::move(env)));
  if (!p) return makeError(p.error());
  return s;
}

TEST(FlagTableTest, BothFormsAndDefaults) {
  auto s = parse({"--name=x", "--count", "3"});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->name, "x");
  EXPECT_EQ(s->count, 3);
  EXPECT_FALSE(s->on);
  s = parse({});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->name, "default");
  EXPECT_EQ(s->count, 1);
}

TEST(FlagTableTest, CommandLineBeatsEnvironmentBeatsDownwardApi) {
  auto s = parse({}, {{"NODE_NAME", "downward"}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->node, "downward");
  s = parse({}, {{"NODE_NAME", "downward"}, {"IRONLB_NODE", "env"}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->node, "env");
  s = parse({"--node=flag"}, {{"NODE_NAME", "downward"}, {"IRONLB_NODE", "env"}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->node, "flag");
  s = parse({"--count=2", "--count=4"});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->count, 4) << "the last occurrence wins";
}

TEST(FlagTableTest, EmptyValueLeavesTheFlagUnset) {
  auto s = parse({"--name="}, {{"NODE_NAME", "n1"}, {"IRONLB_COUNT", ""}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->name, "default");
  EXPECT_EQ(s->count, 1);
  s = parse({}, {{"NODE_NAME", "n1"}, {"IRONLB_NODE", ""}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->node, "n1") << "an empty IRONLB_NODE leaves the downward-API value";
}

TEST(FlagTableTest, BooleanSpellings) {
  const struct {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    bool want;
  } cases[] = {
      {{"--on"}, kNode, true},
      {{"--on=true"}, kNode, true},
      {{"--on=1"}, kNode, true},
      {{"--on=yes"}, kNode, true},
      {{"--on="}, kNode, true},
      {{"--on", "false"}, kNode, false},
      {{"--on=0"}, kNode, false},
      {{"--on=no"}, kNode, false},
      {{"--on", "--name=x"}, kNode, true},
      {{}, {{"NODE_NAME", "n"}, {"IRONLB_ON", "yes"}}, true},
      {{}, {{"NODE_NAME", "n"}, {"IRONLB_ON", ""}}, true},
      {{"--on=false"}, {{"NODE_NAME", "n"}, {"IRONLB_ON", "true"}}, false},
  };
  for (const auto& c : cases) {
    auto s = parse(c.args, c.env);
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->on, c.want) << (c.args.empty() ? "env" : c.args[0]);
  }
  EXPECT_TRUE(parseBool("yes").ok());
  EXPECT_FALSE(parseBool("True").ok()) << "case matters";
  EXPECT_FALSE(parseBool("").ok()) << "empty means true only as a flag's value";
}

TEST(FlagTableTest, ErrorsNameTheSourceTheFlagAndTheValue) {
  const struct {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string error;
  } cases[] = {
      {{"--nope=1"}, kNode, "unknown flag --nope (see --help)"},
      {{"stray"}, kNode, "unexpected argument \"stray\""},
      {{"--on", "maybe"}, kNode, "unexpected argument \"maybe\""},
      {{"--count"}, kNode, "flag --count needs a value"},
      {{"--count=10"}, kNode, "--count=10: expected an integer from 1 to 9"},
      {{"--on=maybe"}, kNode, "--on=maybe: expected true or false"},
      {{},
       {{"NODE_NAME", "n"}, {"IRONLB_COUNT", "lots"}},
       "environment IRONLB_COUNT=lots (--count): expected an integer"},
      {{}, {}, "--node is required (or env NODE_NAME)"},
  };
  for (const auto& c : cases) {
    auto s = parse(c.args, c.env);
    ASSERT_FALSE(s.ok()) << c.error;
    EXPECT_EQ(s.error().substr(0, c.error.size()), c.error);
  }
}

TEST(FlagTableTest, HelpRequestsNeedNoRequiredFlag) {
  Sample s;
  const FlagTable t = tableFor(s);
  for (const auto& [arg, want] :
       {std::pair{"--help", HelpFormat::kText}, std::pair{"-h", HelpFormat::kText},
        std::pair{"--help-markdown", HelpFormat::kMarkdown}}) {
    auto p = t.parse({"--count=2", arg}, envOf({}));
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_EQ(p->help, want) << arg;
  }
  auto p = t.parse({"--count=2"}, envOf(kNode));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_FALSE(p->help.has_value());
  EXPECT_EQ(p->given, (std::set<std::string>{"count", "node"}));
}

TEST(FlagTableTest, UsageComesFromTheTable) {
  Sample s;
  const std::string usage = tableFor(s).usage("usage: sample [flags]\n");
  EXPECT_TRUE(usage.starts_with("usage: sample [flags]\n")) << usage;
  EXPECT_NE(usage.find("\nSample flags:\n"), std::string::npos) << usage;
  EXPECT_NE(
      usage.find("  --count=N" + std::string(21, ' ') + "how many (debug|info) (default 1)\n"),
      std::string::npos)
      << usage;
  EXPECT_NE(usage.find("  --on" + std::string(26, ' ') + "switch it on (default false)\n"),
            std::string::npos)
      << usage;
  EXPECT_NE(usage.find("this node (required; default $NODE_NAME)\n"), std::string::npos) << usage;
  for (std::string_view rest = usage; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    EXPECT_LE(rest.substr(0, end).size(), 100u) << rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
}

TEST(FlagTableTest, MarkdownComesFromTheTable) {
  Sample s;
  EXPECT_EQ(
      tableFor(s).markdown(),
      "## Sample flags\n\n"
      "| Flag | Environment | Default | Meaning |\n"
      "|---|---|---|---|\n"
      "| `--name=NAME` | `IRONLB_NAME` | default | a name, see [sample.md](sample.md); a long "
      "help text that the usage wraps at one hundred columns, so that it reads well in a "
      "terminal of common width |\n"
      "| `--count=N` | `IRONLB_COUNT` | 1 | how many (debug\\|info) |\n"
      "| `--on` | `IRONLB_ON` | false | switch it on |\n"
      "| `--node=NODE` | `IRONLB_NODE` | $NODE_NAME (required) | this node |\n");
}

TEST(FlagTableTest, HelpPicksTheFormat) {
  Sample s;
  const FlagTable t = tableFor(s);
  EXPECT_EQ(t.help(HelpFormat::kText, "usage: sample\n"), t.usage("usage: sample\n"));
  EXPECT_EQ(t.help(HelpFormat::kMarkdown, "usage: sample\n"), t.markdown());
}

TEST(FlagTableTest, EnvName) {
  EXPECT_EQ(FlagTable::envName("kube-api-qps"), "IRONLB_KUBE_API_QPS");
}

}  // namespace
}  // namespace ironlb::cli
