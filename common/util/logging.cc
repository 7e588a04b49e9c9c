// spdlog formatter for the text and JSON-lines formats, and the field packing behind logWith().
//
// Fields travel inside the spdlog payload: msg, then for each field US key RS kind value, where
// US = 0x1f, RS = 0x1e and kind is 's' (string) or 'r' (raw JSON literal). Those two control
// characters are replaced by '?' wherever they occur in user text, so splitting is unambiguous.
#include "common/util/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <vector>

#include "common/util/rfc3339.h"

namespace ironlb::util {
namespace {

constexpr char kUnitSep = '\x1f';
constexpr char kRecordSep = '\x1e';

struct LoggingState {
  std::mutex mu;
  spdlog::sink_ptr sink;
  LogOptions options;
};

LoggingState& state() {
  static LoggingState s;
  return s;
}

void appendSanitized(std::string& out, std::string_view text) {
  for (char c : text)
    out.push_back(c == kUnitSep || c == kRecordSep ? '?' : c);
}

struct Parsed {
  std::string_view msg;
  struct Field {
    std::string_view key;
    std::string_view value;
    bool raw;
  };
  std::vector<Field> fields;
};

Parsed parsePayload(std::string_view payload) {
  Parsed p;
  size_t pos = payload.find(kUnitSep);
  p.msg = payload.substr(0, pos);
  while (pos != std::string_view::npos) {
    const size_t start = pos + 1;
    pos = payload.find(kUnitSep, start);
    std::string_view rec = payload.substr(start, pos == std::string_view::npos ? pos : pos - start);
    const size_t sep = rec.find(kRecordSep);
    if (sep == std::string_view::npos || sep + 1 >= rec.size()) continue;
    p.fields.push_back({rec.substr(0, sep), rec.substr(sep + 2), rec[sep + 1] == 'r'});
  }
  return p;
}

// JSON string escaping (RFC 8259). Bytes >= 0x80 pass through: log text is UTF-8 by contract
// and a stray invalid byte should not lose the whole line. `prefix` (plain, unescaped) goes
// first inside the quotes.
void appendJsonString(std::string& out, std::string_view s, std::string_view prefix = {}) {
  out.push_back('"');
  out += prefix;
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

bool needsQuoting(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

std::string_view levelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const Parsed p = parsePayload(std::string_view(msg.payload.data(), msg.payload.size()));
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    std::string line;
    line.reserve(128 + msg.payload.size());
    if (format_ == LogFormat::kJson) {
      line += "{\"ts\":\"";
      appendRfc3339(line, msg.time, Rfc3339Fraction::kMillis);
      line += "\",\"level\":\"";
      line += levelName(msg.level);
      line += "\",\"logger\":";
      appendJsonString(line, logger);
      line += ",\"msg\":";
      appendJsonString(line, p.msg);
      for (const auto& f : p.fields) {
        line.push_back(',');
        // A field may not shadow the fixed keys; it gets an underscore prefix instead.
        const bool reserved =
            f.key == "ts" || f.key == "level" || f.key == "logger" || f.key == "msg";
        appendJsonString(line, f.key, reserved ? "_" : "");
        line.push_back(':');
        if (f.raw) {
          line += f.value;
        } else {
          appendJsonString(line, f.value);
        }
      }
      line += "}\n";
    } else {
      appendRfc3339(line, msg.time, Rfc3339Fraction::kMillis);
      line.push_back(' ');
      const std::string_view lvl = levelName(msg.level);
      line += lvl;
      line.append(lvl.size() < 5 ? 5 - lvl.size() : 0, ' ');
      if (!logger.empty()) {
        line += " [";
        line += logger;
        line += "]";
      }
      line.push_back(' ');
      line += p.msg;
      for (const auto& f : p.fields) {
        line.push_back(' ');
        line += f.key;
        line.push_back('=');
        if (!f.raw && needsQuoting(f.value)) {
          appendJsonString(line, f.value);
        } else {
          line += f.value;
        }
      }
      line.push_back('\n');
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  LogFormat format_;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

LogField::LogField(std::string_view key, double value) : key_(key), raw_(true) {
  if (std::isfinite(value)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    value_ = buf;
  } else {
    // JSON has no literal for these; log them as strings.
    value_ = std::isnan(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf");
    raw_ = false;
  }
}

Result<spdlog::level::level_enum> parseLogLevel(std::string_view text) {
  const std::string l = lower(text);
  if (l == "trace") return spdlog::level::trace;
  if (l == "debug") return spdlog::level::debug;
  if (l == "info") return spdlog::level::info;
  if (l == "warn" || l == "warning") return spdlog::level::warn;
  if (l == "error") return spdlog::level::err;
  if (l == "critical") return spdlog::level::critical;
  if (l == "off") return spdlog::level::off;
  return makeError("log level \"" + std::string(text) +
                   "\" is not one of trace, debug, info, warn, error, critical, off");
}

Result<LogFormat> parseLogFormat(std::string_view text) {
  const std::string l = lower(text);
  if (l == "text") return LogFormat::kText;
  if (l == "json") return LogFormat::kJson;
  return makeError("log format \"" + std::string(text) + "\" is not one of text, json");
}

void setupLogging(const LogOptions& options, spdlog::sink_ptr sink) {
  LoggingState& s = state();
  std::lock_guard lock(s.mu);
  s.sink = sink ? std::move(sink) : std::make_shared<spdlog::sinks::stderr_sink_mt>();
  s.options = options;
  // Re-point every logger already handed out, so early getLogger() callers follow the setup.
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks().clear();
    l->sinks().push_back(s.sink);
    l->set_formatter(std::make_unique<LineFormatter>(options.format));
    l->set_level(options.level);
    l->flush_on(spdlog::level::warn);
  });
  auto def = spdlog::default_logger();
  def->sinks().clear();
  def->sinks().push_back(s.sink);
  def->set_formatter(std::make_unique<LineFormatter>(options.format));
  def->set_level(options.level);
  spdlog::flush_on(spdlog::level::warn);
}

std::shared_ptr<spdlog::logger> getLogger(const std::string& component) {
  LoggingState& s = state();
  std::lock_guard lock(s.mu);
  if (auto existing = spdlog::get(component)) return existing;
  if (!s.sink) s.sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(component, s.sink);
  logger->set_formatter(std::make_unique<LineFormatter>(s.options.format));
  logger->set_level(s.options.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

void logWith(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
             std::initializer_list<LogField> fields) {
  if (!logger.should_log(level)) return;
  std::string payload;
  payload.reserve(msg.size() + fields.size() * 24);
  appendSanitized(payload, msg);
  for (const LogField& f : fields) {
    payload.push_back(kUnitSep);
    appendSanitized(payload, f.key());
    payload.push_back(kRecordSep);
    payload.push_back(f.raw() ? 'r' : 's');
    appendSanitized(payload, f.value());
  }
  logger.log(level, spdlog::string_view_t(payload.data(), payload.size()));
}

}  // namespace ironlb::util
