// LineBuffer.
#include "common/k8s/line_buffer.h"

namespace ironlb::k8s {

LineBuffer::FeedResult LineBuffer::feed(std::string_view chunk,
                                        const std::function<bool(std::string_view)>& onLine) {
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      if (partial_.size() + chunk.size() > maxLine_) return FeedResult::kLineTooLong;
      partial_.append(chunk);
      return FeedResult::kOk;
    }
    std::string_view line;
    if (partial_.empty()) {
      line = chunk.substr(0, nl);
    } else {
      if (partial_.size() + nl > maxLine_) return FeedResult::kLineTooLong;
      partial_.append(chunk.substr(0, nl));
      line = partial_;
    }
    chunk.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool keepGoing = true;
    if (!line.empty()) keepGoing = onLine(line);
    partial_.clear();
    if (!keepGoing) return FeedResult::kStopped;
  }
  return FeedResult::kOk;
}

}  // namespace ironlb::k8s
