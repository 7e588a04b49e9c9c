#pragma once
// Parses the head (request line + header fields) of one HTTP/1.x request for the bounded
// metrics/health server (docs/metrics-endpoint.md). Pure: bytes in, a verdict out. Only what the
// server needs is kept: method, path, bearer token, keep-alive, and whether a body was announced.
//
//   auto r = parseRequestHead(buffer, 8192);
//   if (r.state == HeadState::kIncomplete) read more;   // no "\r\n\r\n" yet, within the cap
//   else if (r.state == HeadState::kError) reply r.status (400/431), close;
//   else use r.head, drop r.consumed bytes from the buffer.

#include <cstddef>
#include <string>
#include <string_view>

namespace ironlb::util {

struct RequestHead {
  std::string method{};
  std::string path{};             // the target without its query string
  std::string bearerToken{};      // from "Authorization: Bearer <token>"; "" when absent
  bool keepAlive = true;          // HTTP/1.1 default; "Connection: close" or HTTP/1.0 turn it off
  bool hasBody = false;           // Content-Length other than 0, or any Transfer-Encoding
  std::size_t contentLength = 0;  // Content-Length (saturated at kMaxContentLength)
  bool chunked = false;           // any Transfer-Encoding: its length is not known up front
  // The body, read by BoundedHttpServer when HttpLimits::maxBodyBytes allows one.
  std::string body{};
};

// Content-Length values are saturated here (no overflow on absurd lengths).
inline constexpr std::size_t kMaxContentLength = std::size_t{1} << 40;

enum class HeadState { kIncomplete, kComplete, kError };

struct HeadParse {
  HeadState state = HeadState::kIncomplete;
  RequestHead head{};
  std::size_t consumed = 0;  // kComplete: bytes of the head, including the blank line
  int status = 0;            // kError: 400 (malformed) or 431 (head larger than the cap)
  std::string error{};       // kError: what was wrong, for the response body
};

// `maxHeadBytes` caps the request line plus all header fields, including the final blank line.
HeadParse parseRequestHead(std::string_view buffer, std::size_t maxHeadBytes);

}  // namespace ironlb::util
