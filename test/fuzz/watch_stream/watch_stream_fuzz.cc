// Fuzzes watch-stream framing and decoding: bytes arrive in arbitrary chunks (the sizes come
// from the input) -> LineBuffer -> parseWatchEvent -> the metadata an informer reads. It must
// never crash or throw; it also checks:
//  - framing does not depend on how the bytes were chunked: the lines equal those of the whole
//    input fed at once;
//  - the per-record limit is enforced: no line handed out is longer than the limit;
//  - a decoded event of a known type carries an object, a malformed one says why.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/line_buffer.h"
#include "common/k8s/object_meta.h"

namespace {

using namespace ironlb::k8s;

void check(bool condition) {
  if (!condition) std::abort();
}

constexpr size_t kMaxLine = 4096;

// Lines from feeding `chunks`; false when the limit was hit.
bool frame(const std::vector<std::string_view>& chunks, std::vector<std::string>& lines) {
  LineBuffer buffer(kMaxLine);
  for (const auto chunk : chunks) {
    const auto r = buffer.feed(chunk, [&](std::string_view line) {
      check(line.size() <= kMaxLine);
      lines.emplace_back(line);
      return true;
    });
    if (r == LineBuffer::FeedResult::kLineTooLong) return false;
    check(r == LineBuffer::FeedResult::kOk);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0 seeds the chunk sizes; the rest is the stream.
  uint32_t seed = data[0] * 2654435761u + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> chunks;
  for (size_t at = 0; at < stream.size();) {
    seed = seed * 1103515245u + 12345u;
    const size_t n = std::min<size_t>(stream.size() - at, 1 + (seed >> 16) % 64);
    chunks.push_back(stream.substr(at, n));
    at += n;
  }
  std::vector<std::string> lines;
  std::vector<std::string> whole;
  const bool ok = frame(chunks, lines);
  const bool wholeOk = frame({stream}, whole);
  check(ok == wholeOk);
  if (ok) check(lines == whole);
  for (const auto& line : lines) {
    WatchEvent ev = parseWatchEvent(line);
    if (ev.type == WatchEventType::kMalformed) {
      check(!ev.error.empty());
      continue;
    }
    check(ev.object.is_object());
    (void)resourceVersionOf(ev.object);
    (void)nameOf(ev.object);
    (void)namespaceOf(ev.object);
    if (ev.type == WatchEventType::kError) {
      (void)apiErrorFromResponse("GET", "/watch", 500, ev.object.dump()).describe();
    }
  }
  return 0;
}
