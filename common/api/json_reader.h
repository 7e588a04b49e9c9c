#pragma once
// JsonReader: the one place that turns API-server JSON into typed values without throwing.
// nlohmann-json throws on a type mismatch, and API data is input we do not control, so every
// read checks the type first. A failed read is recorded as "<field path>: expected <type>, got
// <value>" and decoding carries on, so one pass reports every problem in an object; the
// decoder then prefixes the object's kind and namespace/name. Unknown fields are never looked
// at (forward compatibility: newer API servers add fields).
//
// Kubernetes serializes an omitted optional field either by leaving it out or as null; both
// read as "absent" here. A null inside a list is an error (nothing the API server writes).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api/field_path.h"
#include "common/api/string_map.h"
#include "common/util/result.h"

namespace ironlb::api {

// A value inside the document being decoded, and where it is: "spec.addresses[3]".
// `value` is null when the field is absent.
class Field {
 public:
  Field(const nlohmann::json* value, std::string path) : value_(value), path_(std::move(path)) {}

  // Absent or JSON null.
  bool absent() const { return value_ == nullptr || value_->is_null(); }
  const nlohmann::json* value() const { return value_; }
  const std::string& path() const { return path_; }

  // Member `key` of this object (absent when this is absent or not an object).
  Field operator[](std::string_view key) const;
  // Element `index` of this array (absent when out of range or not an array).
  Field operator[](std::size_t index) const;
  // Number of elements when this is an array, else 0.
  std::size_t size() const;

 private:
  const nlohmann::json* value_;
  std::string path_;
};

// A JSON value rendered for an error message the way describeString (field_path.h) renders a
// string: JSON syntax, cut to a readable length. Never throws.
std::string describeValue(const nlohmann::json& value);

class JsonReader {
 public:
  // Errors beyond this many are counted, not kept: a 10,000-entry list of wrong types must not
  // build a megabyte message.
  static constexpr std::size_t kMaxErrors = 20;

  explicit JsonReader(const nlohmann::json& root) : root_(root) {}

  Field root() const { return Field(&root_, ""); }

  // True when the field is an object. Absent: false, no error. Any other type: false + error.
  bool object(const Field& field);
  // Like object(), but absence (null) is an error too: used for list elements.
  bool requiredObject(const Field& field);

  // Scalars: absent leaves `out` untouched; a wrong type records an error.
  void read(const Field& field, std::string& out);
  void read(const Field& field, std::optional<std::string>& out);
  void read(const Field& field, bool& out);
  void read(const Field& field, std::optional<bool>& out);
  // Integers must be JSON integers (or integral floats) within the C++ type's range.
  void read(const Field& field, int64_t& out);
  void read(const Field& field, std::optional<int64_t>& out);
  void read(const Field& field, int32_t& out);
  void read(const Field& field, std::optional<int32_t>& out);
  // Arrays of strings and string-to-string maps (labels, annotations, selectors).
  void read(const Field& field, std::vector<std::string>& out);
  void read(const Field& field, StringMap& out);

  // Calls each(elementField) for every element when the field is an array; absent is an empty
  // list; any other type records an error.
  void forEach(const Field& field, const std::function<void(const Field&)>& each);

  // Records "<path>: <message>".
  void fail(const Field& field, std::string_view message);
  // Records "<path>: expected <what>, got <value>".
  void expected(const Field& field, std::string_view what);

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  // "<object>: e1; e2 ...": the whole report prefixed with the object (kind namespace/name).
  Error error(std::string_view object) const;

 private:
  // Absent leaves `out` untouched; set only when the value read without error.
  template <class T>
  void readOptional(const Field& field, std::optional<T>& out);
  std::optional<int64_t> integer(const Field& field, int64_t min, int64_t max);

  const nlohmann::json& root_;
  std::vector<std::string> errors_;
  std::size_t dropped_ = 0;
};

}  // namespace ironlb::api
