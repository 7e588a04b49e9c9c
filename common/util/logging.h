#pragma once
// Logging setup over spdlog: one process-wide sink (stderr by default), one level, and one of two
// line formats:
//   text: 2024-01-01T00:00:00.123Z info  [controller] service assigned ip=192.0.2.1 pool=default
//   json: {"ts":"2024-01-01T00:00:00.123Z","level":"info","logger":"controller",
//          "msg":"service assigned","ip":"192.0.2.1","pool":"default"}
// (one JSON object per line). Components get named loggers with getLogger("controller"); plain
// spdlog calls (logger->info("...{}", x)) work and simply carry no fields. Key/value fields go
// through logWith(), which packs them into the message so that the formatter (which sees only the
// message) can lay them out for either format.
//
// Call setupLogging() once at start-up, before other threads log. Loggers are thread-safe.

#include <spdlog/spdlog.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/util/result.h"

namespace ironlb::util {

enum class LogFormat { kText, kJson };

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  LogFormat format = LogFormat::kText;
};

// "trace", "debug", "info", "warn"/"warning", "error", "critical", "off".
Result<spdlog::level::level_enum> parseLogLevel(std::string_view text);
// "text" or "json".
Result<LogFormat> parseLogFormat(std::string_view text);

// Installs the format and level for every logger (existing and future). `sink` defaults to a
// thread-safe stderr sink; tests pass an ostream sink to capture lines.
void setupLogging(const LogOptions& options, spdlog::sink_ptr sink = nullptr);

// The logger for a component (created on first use with the configured sink/format/level).
std::shared_ptr<spdlog::logger> getLogger(const std::string& component);

// One key/value field. Strings are quoted in JSON; integers, doubles and bools are not.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  LogField(std::string_view key, const char* value) : key_(key), value_(value) {}
  LogField(std::string_view key, const std::string& value) : key_(key), value_(value) {}
  LogField(std::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), raw_(true) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
      LogField(std::string_view key, T value)
      : key_(key), value_(std::to_string(value)), raw_(true) {}
  LogField(std::string_view key, double value);

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  // True when value() is a JSON literal (number/bool) rather than a string.
  bool raw() const { return raw_; }

 private:
  std::string key_;
  std::string value_;
  bool raw_ = false;
};

// Logs `msg` with fields at `level`, if that level is enabled.
void logWith(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
             std::initializer_list<LogField> fields);

}  // namespace ironlb::util
