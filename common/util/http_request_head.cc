#include "common/util/http_request_head.h"

#include <algorithm>
#include <cctype>

namespace ironlb::util {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != ':' && c != '(' && c != ')' && c != ',' && c != '"';
  });
}

HeadParse fail(int status, std::string why) {
  HeadParse out;
  out.state = HeadState::kError;
  out.status = status;
  out.error = std::move(why);
  return out;
}

}  // namespace

HeadParse parseRequestHead(std::string_view buffer, std::size_t maxHeadBytes) {
  const std::size_t end = buffer.find("\r\n\r\n");
  if (end == std::string_view::npos || end + 4 > maxHeadBytes) {
    if (buffer.size() >= maxHeadBytes || (end != std::string_view::npos)) {
      return fail(
          431, "request line and header fields exceed " + std::to_string(maxHeadBytes) + " bytes");
    }
    // Junk (a TLS ClientHello on the plain port, binary noise) is refused at once instead of
    // holding the connection until the header deadline.
    const std::string_view start = buffer.substr(0, buffer.find(' '));
    if (!start.empty() && !isToken(start)) return fail(400, "not an HTTP/1.x request");
    return {};
  }
  HeadParse out;
  out.consumed = end + 4;
  std::string_view rest = buffer.substr(0, end + 2);  // every line ends with CRLF

  auto nextLine = [&rest]() {
    const std::size_t eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    return line;
  };

  // Request line: METHOD SP target SP HTTP/1.x
  std::string_view line = nextLine();
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) return fail(400, "malformed method");
  if (target.empty() || target.front() != '/') return fail(400, "target must be an absolute path");
  if (version == "HTTP/1.0") {
    out.head.keepAlive = false;
  } else if (version != "HTTP/1.1") {
    return fail(400, "unsupported protocol version");
  }
  out.head.method = std::string(method);
  out.head.path = std::string(target.substr(0, target.find('?')));

  while (!rest.empty()) {
    line = nextLine();
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon))) {
      return fail(400, "malformed header field");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          })) {
        return fail(400, "malformed Content-Length");
      }
      if (value.find_first_not_of('0') != std::string_view::npos) out.head.hasBody = true;
      // More than 18 digits cannot be a length any server here accepts: saturate.
      std::size_t length = 0;
      for (char c : value) {
        length = length > kMaxContentLength / 10
                     ? kMaxContentLength
                     : std::min<std::size_t>(kMaxContentLength,
                                             length * 10 + static_cast<std::size_t>(c - '0'));
      }
      out.head.contentLength = length;
    } else if (iequals(name, "transfer-encoding")) {
      out.head.hasBody = true;
      out.head.chunked = true;
    } else if (iequals(name, "connection")) {
      if (iequals(value, "close")) out.head.keepAlive = false;
      if (iequals(value, "keep-alive")) out.head.keepAlive = true;
    } else if (iequals(name, "authorization")) {
      constexpr std::string_view kBearer = "bearer ";
      if (value.size() > kBearer.size() && iequals(value.substr(0, kBearer.size()), kBearer)) {
        out.head.bearerToken = std::string(trim(value.substr(kBearer.size())));
      }
    }
  }
  out.state = HeadState::kComplete;
  return out;
}

}  // namespace ironlb::util
