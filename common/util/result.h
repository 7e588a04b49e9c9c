#pragma once
// Result<T>: a value or a human-readable error. Expected failures (bad config, bad API data,
// network errors) travel as Results; exceptions are reserved for programming errors.
//
// BasicResult<T, E> is the shared machinery for results whose error is a richer type (the
// Kubernetes client's ApiResult carries an ApiError with the HTTP code and Status reason).

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ironlb {

struct Error {
  std::string message;
};

inline Error makeError(std::string message) {
  return Error{std::move(message)};
}

template <class T, class E>
class [[nodiscard]] BasicResult {
 public:
  BasicResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  BasicResult(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 protected:
  const E& errorValue() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

// Success without a value, or an error.
template <class E>
class [[nodiscard]] BasicResult<void, E> {
 public:
  BasicResult() = default;
  BasicResult(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }

 protected:
  const E& errorValue() const {
    assert(!ok_);
    return error_;
  }

 private:
  E error_{};
  bool ok_ = true;
};

template <class T>
class [[nodiscard]] Result : public BasicResult<T, Error> {
 public:
  using BasicResult<T, Error>::BasicResult;
  const std::string& error() const { return this->errorValue().message; }
};

using Status = Result<void>;

}  // namespace ironlb
