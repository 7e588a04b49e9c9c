#pragma once
// ApiError / ApiResult: the outcome of one Kubernetes API call. Callers branch on the HTTP code
// and the Kubernetes Status reason (isNotFound(), isConflict(), isGone(), ...), and show
// describe() to people: it names the request and says what to check.
//
// A code of 0 means no HTTP response at all (connect/TLS failure, timeout, cancelled): the
// message then comes from the transport.

#include <chrono>
#include <string>

#include "common/util/result.h"

namespace ironlb::k8s {

struct ApiError {
  int code = 0;           // HTTP status; 0 = no response
  std::string reason{};   // Status.reason (NotFound, Conflict, AlreadyExists, Expired, ...)
  std::string message{};  // Status.message, or the transport's error
  std::string method{};   // of the failed request
  std::string path{};     // of the failed request (path + query)
  std::chrono::seconds retryAfter{0};  // Status.details.retryAfterSeconds, when given

  bool isTransport() const { return code == 0; }
  bool isCancelled() const { return code == 0 && reason == "Cancelled"; }
  bool isNotFound() const { return code == 404; }
  // 409 with reason Conflict: the resourceVersion was stale (optimistic concurrency).
  bool isConflict() const { return code == 409 && reason != "AlreadyExists"; }
  bool isAlreadyExists() const { return code == 409 && reason == "AlreadyExists"; }
  // 410 Gone / reason Expired: the resourceVersion or continue token is too old; relist.
  bool isGone() const { return code == 410 || reason == "Expired" || reason == "Gone"; }
  bool isForbidden() const { return code == 403; }
  bool isInvalid() const { return code == 422; }
  bool isTooManyRequests() const { return code == 429; }
  // Worth retrying unchanged later: no response, 429, 5xx.
  bool isRetryable() const { return (code == 0 && !isCancelled()) || code == 429 || code >= 500; }

  // "PUT /api/v1/namespaces/a/services/b/status: 409 Conflict: <message>[; hint]".
  std::string describe() const;
};

// Builds an ApiError from an HTTP error response; the body is parsed as a Kubernetes Status when
// it is one, otherwise the reason comes from the code and the message from the body's start.
ApiError apiErrorFromResponse(std::string method, std::string path, int code,
                              const std::string& body);
// The conventional reason for an HTTP code (404 -> NotFound, 422 -> Invalid, ...).
std::string reasonForCode(int code);

template <class T>
class [[nodiscard]] ApiResult : public BasicResult<T, ApiError> {
 public:
  using BasicResult<T, ApiError>::BasicResult;
  const ApiError& error() const { return this->errorValue(); }
  // For callers that only need a message.
  Status status() const {
    return this->ok() ? Status{} : Status(makeError(this->errorValue().describe()));
  }
};

}  // namespace ironlb::k8s
