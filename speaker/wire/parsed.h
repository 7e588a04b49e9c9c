#pragma once
// Parsed<T>: a decoded header or the DropReason that rejected it. Unlike Result it carries no
// string, so the packet path can return it without allocating.

#include <cassert>

#include "speaker/wire/drop_reason.h"

namespace ironlb::wire {

template <class T>
class Parsed {
 public:
  Parsed(const T& value) : value_(value), ok_(true) {}  // NOLINT: implicit by design
  Parsed(DropReason reason) : reason_(reason) {}        // NOLINT

  bool ok() const { return ok_; }
  const T& value() const {
    assert(ok_);
    return value_;
  }
  const T* operator->() const { return &value(); }
  DropReason reason() const {
    assert(!ok_);
    return reason_;
  }

 private:
  T value_{};
  DropReason reason_ = DropReason::kCount;
  bool ok_ = false;
};

}  // namespace ironlb::wire
