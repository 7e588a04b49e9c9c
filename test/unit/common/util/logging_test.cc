#include "common/util/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <sstream>
#include <vector>

namespace ironlb::util {
namespace {

// "2024-01-01T00:00:00.123Z" (no std::regex: GCC 12 + ASan warn inside <regex>).
bool isRfc3339Millis(const std::string& ts) {
  const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (ts.size() != shape.size()) return false;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(ts[i])) : ts[i] != shape[i]) {
      return false;
    }
  }
  return true;
}

class LoggingTest : public ::testing::Test {
 protected:
  void setup(LogFormat format, spdlog::level::level_enum level = spdlog::level::info) {
    setupLogging({.level = level, .format = format},
                 std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  std::vector<std::string> lines() {
    std::vector<std::string> result;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);)
      result.push_back(line);
    return result;
  }
  void TearDown() override { setupLogging({}); }

  std::ostringstream out_;
};

TEST_F(LoggingTest, JsonLineCarriesFixedKeysAndTypedFields) {
  setup(LogFormat::kJson);
  auto log = getLogger("controller");
  logWith(*log, spdlog::level::info, "service assigned",
          {{"ip", "192.0.2.1"}, {"count", 3}, {"ready", true}, {"ratio", 0.5}});
  const auto l = lines();
  ASSERT_EQ(l.size(), 1u);
  const auto j = nlohmann::json::parse(l[0]);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "controller");
  EXPECT_EQ(j["msg"], "service assigned");
  EXPECT_EQ(j["ip"], "192.0.2.1");
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["ratio"], 0.5);
  EXPECT_TRUE(isRfc3339Millis(j["ts"].get<std::string>())) << j["ts"];
  // Key order is fixed: ts, level, logger, msg, then fields in call order.
  EXPECT_EQ(l[0].find("{\"ts\":"), 0u);
  EXPECT_LT(l[0].find("\"msg\""), l[0].find("\"ip\""));
}

TEST_F(LoggingTest, JsonEscapesHostileText) {
  setup(LogFormat::kJson);
  auto log = getLogger("speaker");
  logWith(*log, spdlog::level::warn, "quote \" newline \n tab \t ctrl \x01 sep \x1f end",
          {{"msg", "shadow"}, {"path", "C:\\x"}});
  const auto l = lines();
  ASSERT_EQ(l.size(), 1u) << out_.str();
  const auto j = nlohmann::json::parse(l[0]);
  EXPECT_EQ(j["msg"], "quote \" newline \n tab \t ctrl \x01 sep ? end");
  EXPECT_EQ(j["_msg"], "shadow");
  EXPECT_EQ(j["path"], "C:\\x");
  EXPECT_EQ(j["level"], "warn");
}

TEST_F(LoggingTest, PlainSpdlogCallsBecomeJsonToo) {
  setup(LogFormat::kJson);
  getLogger("k8s")->error("watch failed: {}", 410);
  const auto j = nlohmann::json::parse(lines().at(0));
  EXPECT_EQ(j["msg"], "watch failed: 410");
  EXPECT_EQ(j["level"], "error");
}

TEST_F(LoggingTest, TextFormatQuotesOnlyWhenNeeded) {
  setup(LogFormat::kText);
  logWith(*getLogger("controller"), spdlog::level::info, "assigned",
          {{"ip", "192.0.2.1"}, {"reason", "two words"}, {"empty", ""}, {"n", 7}});
  const auto l = lines();
  ASSERT_EQ(l.size(), 1u);
  const size_t space = l[0].find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_TRUE(isRfc3339Millis(l[0].substr(0, space))) << l[0];
  EXPECT_EQ(l[0].substr(space),
            " info  [controller] assigned ip=192.0.2.1 reason=\"two words\" empty=\"\" n=7");
}

TEST_F(LoggingTest, LevelFiltersAndAppliesToLoggersCreatedEarlier) {
  auto early = getLogger("early");
  setup(LogFormat::kText, spdlog::level::warn);
  early->info("hidden");
  logWith(*early, spdlog::level::debug, "hidden too", {});
  early->warn("shown");
  const auto l = lines();
  ASSERT_EQ(l.size(), 1u) << out_.str();
  EXPECT_NE(l[0].find("warn  [early] shown"), std::string::npos) << l[0];
}

TEST(LogParseTest, Levels) {
  EXPECT_EQ(*parseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(*parseLogLevel("WARNING"), spdlog::level::warn);
  EXPECT_EQ(*parseLogLevel("error"), spdlog::level::err);
  const auto bad = parseLogLevel("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("\"verbose\""), std::string::npos);
}

TEST(LogParseTest, Formats) {
  EXPECT_EQ(*parseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*parseLogFormat("Text"), LogFormat::kText);
  EXPECT_FALSE(parseLogFormat("xml").ok());
}

}  // namespace
}  // namespace ironlb::util
