#pragma once
// TokenReviewAuthorizer: checks a metrics scraper's bearer token the way Kubernetes components
// do (docs/metrics-endpoint.md): a TokenReview (authentication.k8s.io/v1) says who the token
// belongs to, then a SubjectAccessReview (authorization.k8s.io/v1) asks whether that user may
// `get` the non-resource URL (/metrics). The daemons' ServiceAccounts need `create` on both
// (the chart's ClusterRoles grant it).
//
// Decisions are cached for `ttl` under a SHA-256 of the token (never the token itself), at most
// `maxEntries` of them (the oldest go first), so a scraper costs two API calls per TTL and a
// flood of made-up tokens cannot grow memory. Failures to decide are not cached. Calls are
// serialised (one review in flight per authorizer) with `timeout` each.

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/k8s/api_client.h"
#include "common/util/clock.h"
#include "common/util/request_authorizer.h"

namespace ironlb::k8s {

struct TokenReviewOptions {
  util::Duration ttl = std::chrono::seconds(10);
  std::size_t maxEntries = 1024;
  util::Duration timeout = std::chrono::seconds(5);
};

class TokenReviewAuthorizer final : public util::RequestAuthorizer {
 public:
  TokenReviewAuthorizer(ApiClient& api, const util::Clock& clock, TokenReviewOptions options = {});

  util::AuthDecision authorize(const std::string& bearerToken, const std::string& path,
                               const std::string& verb) override;

  std::size_t cachedEntries() const;

 private:
  util::AuthDecision review(const std::string& bearerToken, const std::string& path,
                            const std::string& verb);

  struct Entry {
    util::AuthDecision decision;
    util::MonoTime expires;
    std::list<std::string>::iterator age;
  };
  ApiClient& api_;
  const util::Clock& clock_;
  const TokenReviewOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
  std::list<std::string> order_;  // keys, oldest first
};

}  // namespace ironlb::k8s
