#pragma once
// Transport: the seam between the Kubernetes client and HTTP. One implementation talks to a
// real API server (http_transport.h, the only file that uses cpp-httplib); tests use the
// scripted FakeTransport (common/k8s/testing). Implementations are thread-safe: the informer
// threads, the event recorder and the logic thread's workers all share one.
//
// Two calls:
//  - send(): one request, whole response.
//  - stream(): one request whose 2xx body is a stream of newline-delimited records (a watch);
//    each complete line is handed to onLine on the calling thread as it arrives.
// Both fail (Result error) only when no HTTP response was obtained: connection, TLS, timeout,
// or cancellation through request.cancel. Any HTTP status, including 4xx/5xx, is a response.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/k8s/cancel_token.h"
#include "common/util/clock.h"
#include "common/util/result.h"

namespace ironlb::k8s {

struct HttpRequest {
  std::string method{};  // GET, POST, PUT, PATCH, DELETE
  std::string path{};    // absolute path plus encoded query, e.g. /api/v1/pods?limit=500
  std::string body{};
  std::string contentType{};  // for requests with a body
  // Read timeout for this request; zero = the transport's default. Watches pass the server-side
  // timeout plus a margin so a silent connection cannot hang forever.
  util::Duration timeout{0};
  CancelToken* cancel = nullptr;  // optional; cancel() aborts the request promptly
  // send(): the most response body bytes accepted; stream(): the longest record. A larger one
  // fails the request (reading stops). Zero = the transport's default
  // (docs/kubernetes-client.md, "Limits").
  size_t maxBodyBytes = 0;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers{};  // names lower-cased
  std::string body{};                            // for stream(): empty when the status was 2xx
};

// Returns false to stop reading (the stream call then returns the response so far).
using LineHandler = std::function<bool(std::string_view line)>;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
  virtual Result<HttpResponse> stream(const HttpRequest& request, const LineHandler& onLine) = 0;
  // Where requests go, for messages ("https://127.0.0.1:6443").
  virtual std::string server() const = 0;
};

}  // namespace ironlb::k8s
