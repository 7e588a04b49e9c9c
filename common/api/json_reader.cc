#include "common/api/json_reader.h"

#include <cmath>
#include <limits>

namespace ironlb::api {
namespace {

std::string_view typeName(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "a binary value";
  }
}

// Writes `value` as JSON into `out` until `out` passes the display limit. Bounded in depth and
// length so that a huge or deeply nested value costs little and cannot exhaust the stack
// (nlohmann's dump() recurses once per level).
void render(const nlohmann::json& value, std::string& out, int depth) {
  constexpr int kMaxDepth = 4;
  if (out.size() > kMaxValueText) return;
  if (value.is_object() || value.is_array()) {
    const bool object = value.is_object();
    if (value.empty()) {
      out += object ? "{}" : "[]";
      return;
    }
    if (depth >= kMaxDepth) {
      out += object ? "{...}" : "[...]";
      return;
    }
    out += object ? '{' : '[';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (out.size() > kMaxValueText) break;
      if (!first) out += ',';
      first = false;
      if (object) {
        out += describeString(it.key());
        out += ':';
      }
      render(it.value(), out, depth + 1);
    }
    out += object ? '}' : ']';
    return;
  }
  if (value.is_string()) {
    out += describeString(value.get_ref<const std::string&>());
    return;
  }
  // Scalars: the replace handler keeps dump() from throwing (it cannot meet bad UTF-8 here).
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Field Field::operator[](std::string_view key) const {
  const nlohmann::json* child = nullptr;
  if (value_ != nullptr && value_->is_object()) {
    const auto it = value_->find(key);
    if (it != value_->end()) child = &*it;
  }
  return Field(child, childPath(path_, key));
}

Field Field::operator[](std::size_t index) const {
  const nlohmann::json* child = nullptr;
  if (value_ != nullptr && value_->is_array() && index < value_->size()) child = &(*value_)[index];
  return Field(child, indexPath(path_, index));
}

std::size_t Field::size() const {
  return value_ != nullptr && value_->is_array() ? value_->size() : 0;
}

std::string describeValue(const nlohmann::json& value) {
  std::string out;
  render(value, out, 0);
  return truncateForMessage(std::move(out));
}

bool JsonReader::object(const Field& field) {
  if (field.absent()) return false;
  if (field.value()->is_object()) return true;
  expected(field, "an object");
  return false;
}

bool JsonReader::requiredObject(const Field& field) {
  if (field.value() != nullptr && field.value()->is_object()) return true;
  expected(field, "an object");
  return false;
}

void JsonReader::read(const Field& field, std::string& out) {
  if (field.absent()) return;
  if (!field.value()->is_string()) return expected(field, "a string");
  out = field.value()->get_ref<const std::string&>();
}

template <class T>
void JsonReader::readOptional(const Field& field, std::optional<T>& out) {
  if (field.absent()) return;
  T value{};
  const std::size_t before = errors_.size() + dropped_;
  read(field, value);
  if (errors_.size() + dropped_ == before) out = std::move(value);
}

void JsonReader::read(const Field& field, std::optional<std::string>& out) {
  readOptional(field, out);
}

void JsonReader::read(const Field& field, bool& out) {
  if (field.absent()) return;
  if (!field.value()->is_boolean()) return expected(field, "a boolean");
  out = field.value()->get<bool>();
}

void JsonReader::read(const Field& field, std::optional<bool>& out) {
  if (field.absent()) return;
  if (!field.value()->is_boolean()) return expected(field, "a boolean");
  out = field.value()->get<bool>();
}

std::optional<int64_t> JsonReader::integer(const Field& field, int64_t min, int64_t max) {
  const nlohmann::json& v = *field.value();
  const auto outOfRange = [&] {
    fail(field, "integer " + describeValue(v) + " is out of range " + std::to_string(min) + ".." +
                    std::to_string(max));
    return std::nullopt;
  };
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) return outOfRange();
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i < min || i > max) return outOfRange();
    return i;
  }
  if (v.is_number_float()) {
    // Integral floats (1.0, 1e3) are accepted the way the API server's schema validation does;
    // the range check runs in double before any conversion (casting an out-of-range double is
    // undefined behaviour).
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) {
      expected(field, "an integer");
      return std::nullopt;
    }
    if (d < static_cast<double>(min) || d >= static_cast<double>(max) + 1.0) return outOfRange();
    return static_cast<int64_t>(d);
  }
  expected(field, "an integer");
  return std::nullopt;
}

void JsonReader::read(const Field& field, int64_t& out) {
  if (field.absent()) return;
  if (auto v = integer(field, std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max())) {
    out = *v;
  }
}

void JsonReader::read(const Field& field, int32_t& out) {
  if (field.absent()) return;
  if (auto v = integer(field, std::numeric_limits<int32_t>::min(),
                       std::numeric_limits<int32_t>::max())) {
    out = static_cast<int32_t>(*v);
  }
}

void JsonReader::read(const Field& field, std::optional<int32_t>& out) {
  readOptional(field, out);
}

void JsonReader::read(const Field& field, std::optional<int64_t>& out) {
  readOptional(field, out);
}

void JsonReader::read(const Field& field, std::vector<std::string>& out) {
  forEach(field, [&](const Field& element) {
    if (element.value() == nullptr || !element.value()->is_string()) {
      return expected(element, "a string");
    }
    out.push_back(element.value()->get_ref<const std::string&>());
  });
}

void JsonReader::read(const Field& field, StringMap& out) {
  if (!object(field)) return;
  for (const auto& [key, value] : field.value()->items()) {
    if (!value.is_string()) {
      expected(Field(&value, childPath(field.path(), key)), "a string");
      continue;
    }
    out.insert_or_assign(key, value.get_ref<const std::string&>());
  }
}

void JsonReader::forEach(const Field& field, const std::function<void(const Field&)>& each) {
  if (field.absent()) return;
  if (!field.value()->is_array()) return expected(field, "a list");
  const std::size_t n = field.value()->size();
  for (std::size_t i = 0; i < n; ++i)
    each(field[i]);
}

void JsonReader::fail(const Field& field, std::string_view message) {
  if (errors_.size() >= kMaxErrors) {
    ++dropped_;
    return;
  }
  std::string text = field.path().empty() ? std::string("(object)") : field.path();
  text += ": ";
  text.append(message);
  errors_.push_back(std::move(text));
}

void JsonReader::expected(const Field& field, std::string_view what) {
  if (errors_.size() >= kMaxErrors) {  // skip rendering a value nobody will see
    ++dropped_;
    return;
  }
  std::string message = "expected ";
  message.append(what);
  message += ", got ";
  if (field.value() == nullptr) {
    message += "nothing";
  } else {
    const nlohmann::json& v = *field.value();
    // Scalars are shown as written; containers by their type first, then their text.
    if (v.is_object() || v.is_array()) {
      message.append(typeName(v));
      message += ' ';
    }
    message += describeValue(v);
  }
  fail(field, message);
}

Error JsonReader::error(std::string_view object) const {
  std::string message(object);
  message += ": ";
  for (std::size_t i = 0; i < errors_.size(); ++i) {
    if (i != 0) message += "; ";
    message += errors_[i];
  }
  if (dropped_ != 0) message += "; and " + std::to_string(dropped_) + " more";
  return Error{std::move(message)};
}

}  // namespace ironlb::api
