#pragma once
// RequestAuthorizer: the seam between the metrics server (common/util, no Kubernetes) and the
// check of a scraper's bearer token. The daemons inject the TokenReview + SubjectAccessReview
// implementation (common/k8s/token_review_authorizer.h); tests inject their own.
// docs/metrics-endpoint.md describes the whole flow.

#include <string>

namespace ironlb::util {

enum class AuthVerdict {
  kAllowed,
  kUnauthenticated,  // the token is not valid: 401
  kForbidden,        // valid token, but no permission: 403
  kUnavailable,      // could not decide (API server unreachable...): 503, not cached
};

struct AuthDecision {
  AuthVerdict verdict = AuthVerdict::kUnavailable;
  std::string reason{};  // short, for the response body and logs; never contains the token
};

class RequestAuthorizer {
 public:
  virtual ~RequestAuthorizer() = default;
  // May block (it asks the API server); called on the metrics server's thread only.
  virtual AuthDecision authorize(const std::string& bearerToken, const std::string& path,
                                 const std::string& verb) = 0;
};

}  // namespace ironlb::util
