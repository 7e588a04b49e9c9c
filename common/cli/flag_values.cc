#include "common/cli/flag_values.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/util/strings.h"

namespace ironlb::cli {
namespace {

Result<util::Duration> parseDuration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  const std::string_view unit = text.substr(digits);
  auto n = parseInteger(text.substr(0, digits), 1, 1000000);
  if (n) {
    if (unit == "ms") return util::Duration(std::chrono::milliseconds(*n));
    if (unit == "s") return util::Duration(std::chrono::seconds(*n));
    if (unit == "m") return util::Duration(std::chrono::minutes(*n));
  }
  return makeError("expected a duration like 500ms, 15s or 2m");
}

}  // namespace

Result<int> parseInteger(std::string_view text, int min, int max) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return makeError("expected an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
  }
  return v;
}

Setter text(std::string& dst) {
  return [&dst](const std::string& value) -> Status {
    dst = value;
    return {};
  };
}

Setter boolean(bool& dst) {
  return parsed(dst, [](const std::string& v) { return parseBool(v); });
}

Setter integer(int& dst, int min, int max) {
  return parsed(dst, [min, max](const std::string& v) { return parseInteger(v, min, max); });
}

Setter duration(util::Duration& dst) {
  return parsed(dst, [](const std::string& v) { return parseDuration(v); });
}

Setter durationOrZero(util::Duration& dst) {
  return [&dst](const std::string& value) -> Status {
    if (value == "0") {
      dst = util::Duration::zero();
      return {};
    }
    auto d = parseDuration(value);
    if (!d) return makeError(d.error() + ", or 0");
    dst = *d;
    return {};
  };
}

Setter hostPort(std::string& host, int& port) {
  return [&host, &port](const std::string& value) -> Status {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos) return makeError("expected HOST:PORT");
    std::string h = value.substr(0, colon);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    auto p = parseInteger(std::string_view(value).substr(colon + 1), 0, 65535);
    if (!p) return makeError("expected HOST:PORT with a port from 0 to 65535");
    host = h.empty() ? "0.0.0.0" : h;
    port = *p;
    return {};
  };
}

Setter apiRate(double& dst) {
  return [&dst](const std::string& value) -> Status {
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v) || v < 0 ||
        v > 1e6) {
      return makeError("expected a number from 0 (no limit) to 1000000");
    }
    dst = v;
    return {};
  };
}

Setter list(std::vector<std::string>& dst) {
  return [&dst](const std::string& value) -> Status {
    dst.clear();
    for (const std::string_view part : util::splitList(value))
      if (!part.empty()) dst.emplace_back(part);
    return {};
  };
}

}  // namespace ironlb::cli
