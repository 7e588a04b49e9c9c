#pragma once
// LineBuffer: reassembles newline-delimited records from arbitrary byte chunks (a watch stream
// arrives in TCP-sized pieces that split events anywhere). Pure; the transport feeds it.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace ironlb::k8s {

class LineBuffer {
 public:
  // Lines longer than maxLine make feed() fail: a server that never sends a newline must not
  // grow memory without bound.
  explicit LineBuffer(size_t maxLine = 64u << 20) : maxLine_(maxLine) {}

  enum class FeedResult { kOk, kStopped, kLineTooLong };
  // Calls onLine for each complete line in `chunk` (without the "\n" or a trailing "\r"; empty
  // lines are skipped). kStopped when onLine returned false.
  FeedResult feed(std::string_view chunk, const std::function<bool(std::string_view)>& onLine);
  // Bytes of an unfinished line still held.
  size_t pending() const { return partial_.size(); }

 private:
  size_t maxLine_;
  std::string partial_;
};

}  // namespace ironlb::k8s
