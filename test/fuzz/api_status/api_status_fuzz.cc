// Fuzzes how an API server's error answer becomes an ApiError (common/k8s/api_error.h): the
// body (a Status, a proxy's HTML page, garbage) and the Retry-After header. It must never crash
// or throw; it also checks:
//  - the error keeps the HTTP code and always has a reason;
//  - describe() names the request and the code;
//  - a message taken from a non-Status body is bounded and on one line;
//  - Retry-After is never negative, nor beyond a day (it is converted to nanoseconds later).
// Input: byte 0-1 the HTTP code (400-599), then "header\nbody".

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/k8s/api_client.h"
#include "common/k8s/api_error.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ironlb::k8s;
  if (size < 2) return 0;
  const int code = 400 + ((data[0] << 8 | data[1]) % 200);
  const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t nl = rest.find('\n');
  const std::string_view header = nl == std::string_view::npos ? "" : rest.substr(0, nl);
  const std::string body(nl == std::string_view::npos ? rest : rest.substr(nl + 1));

  const std::string path = "/api/v1/namespaces/a/services/b";
  const ApiError e = apiErrorFromResponse("PUT", path, code, body);
  check(e.code == code);
  check(!e.reason.empty());
  check(e.retryAfter.count() >= 0 && e.retryAfter.count() <= 86400);
  const std::string text = e.describe();
  check(text.rfind("PUT " + path + ": " + std::to_string(code), 0) == 0);
  if (body.find("\"Status\"") == std::string::npos) {
    check(e.message.size() <= 200);
    check(e.message.find('\n') == std::string::npos);
  }
  check(parseRetryAfter(header).count() >= 0);
  (void)e.isRetryable();
  (void)e.isGone();
  (void)reasonForCode(code);
  return 0;
}
