// Kubernetes Status decoding and human-readable error text.
#include "common/k8s/api_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ironlb::k8s {

std::string reasonForCode(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

ApiError apiErrorFromResponse(std::string method, std::string path, int code,
                              const std::string& body) {
  ApiError e;
  e.code = code;
  e.method = std::move(method);
  e.path = std::move(path);
  const auto j = nlohmann::json::parse(body, nullptr, false);
  // Not j.value("kind", ""): it throws when "kind" is there but not a string (found by
  // test/fuzz/watch_stream: an ERROR event whose Status had "kind":410).
  const auto kind = j.is_object() ? j.find("kind") : j.end();
  if (j.is_object() && kind != j.end() && kind->is_string() && *kind == "Status") {
    if (auto it = j.find("reason"); it != j.end() && it->is_string()) e.reason = *it;
    if (auto it = j.find("message"); it != j.end() && it->is_string()) e.message = *it;
    if (auto d = j.find("details"); d != j.end() && d->is_object()) {
      if (auto r = d->find("retryAfterSeconds"); r != d->end() && r->is_number_integer()) {
        // Clamped: a negative or absurd value must not overflow a later duration conversion.
        constexpr long long kMaxRetryAfterSeconds = 86400;
        const long long v = r->is_number_unsigned() && r->get<unsigned long long>() > 86400u
                                ? kMaxRetryAfterSeconds
                                : r->get<long long>();
        e.retryAfter = std::chrono::seconds(std::clamp(v, 0LL, kMaxRetryAfterSeconds));
      }
    }
  } else {
    // Not a Status (a proxy page, a truncated body): keep the start of it for the message.
    constexpr size_t kMaxBody = 200;
    e.message = body.substr(0, kMaxBody);
    for (char& c : e.message) {
      if (c == '\n' || c == '\r') c = ' ';
    }
  }
  if (e.reason.empty()) e.reason = reasonForCode(code);
  return e;
}

std::string ApiError::describe() const {
  std::string out = method + " " + path + ": ";
  if (code == 0) {
    out += message.empty() ? "no response from the API server" : message;
    return out;
  }
  out += std::to_string(code) + " " + reason;
  if (!message.empty()) out += ": " + message;
  if (code == 401) {
    out +=
        " (the API server rejected the credentials: check the token, token file or client "
        "certificate in the kubeconfig or service account)";
  } else if (code == 403) {
    out +=
        " (the identity lacks RBAC permission for this verb and resource: check the "
        "Role/ClusterRole bound to it)";
  }
  return out;
}

}  // namespace ironlb::k8s
