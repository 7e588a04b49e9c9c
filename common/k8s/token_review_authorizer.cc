#include "common/k8s/token_review_authorizer.h"

#include <openssl/evp.h>

namespace ironlb::k8s {
namespace {

std::string cacheKey(const std::string& token, const std::string& path, const std::string& verb) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len) + '\0' + verb + '\0' + path;
}

util::AuthDecision unavailable(const ApiError& e) {
  return {util::AuthVerdict::kUnavailable, e.describe()};
}

}  // namespace

TokenReviewAuthorizer::TokenReviewAuthorizer(ApiClient& api, const util::Clock& clock,
                                             TokenReviewOptions options)
    : api_(api), clock_(clock), options_(options) {}

std::size_t TokenReviewAuthorizer::cachedEntries() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

util::AuthDecision TokenReviewAuthorizer::authorize(const std::string& bearerToken,
                                                    const std::string& path,
                                                    const std::string& verb) {
  std::lock_guard lock(mu_);  // one review at a time
  const std::string key = cacheKey(bearerToken, path, verb);
  const auto now = clock_.now();
  if (auto it = cache_.find(key); it != cache_.end()) {
    if (it->second.expires > now) return it->second.decision;
    order_.erase(it->second.age);
    cache_.erase(it);
  }
  util::AuthDecision d = review(bearerToken, path, verb);
  if (d.verdict == util::AuthVerdict::kUnavailable || options_.maxEntries == 0) return d;
  while (cache_.size() >= options_.maxEntries) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  cache_.emplace(key, Entry{d, now + options_.ttl, std::prev(order_.end())});
  return d;
}

util::AuthDecision TokenReviewAuthorizer::review(const std::string& bearerToken,
                                                 const std::string& path, const std::string& verb) {
  CallOptions call{.timeout = options_.timeout};
  const Json tokenReview = {{"apiVersion", "authentication.k8s.io/v1"},
                            {"kind", "TokenReview"},
                            {"spec", {{"token", bearerToken}}}};
  auto tr = api_.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", tokenReview.dump(),
                         "application/json", call);
  if (!tr) return unavailable(tr.error());
  const Json& status = (*tr)["status"];
  if (!status.is_object() || !status.value("authenticated", false)) {
    std::string why = "invalid bearer token";
    if (status.is_object() && status.contains("error") && status["error"].is_string()) {
      why += " (" + status["error"].get<std::string>() + ")";
    }
    return {util::AuthVerdict::kUnauthenticated, why};
  }
  const Json user = status.value("user", Json::object());
  const std::string username = user.value("username", "");
  Json spec = {{"user", username}, {"nonResourceAttributes", {{"path", path}, {"verb", verb}}}};
  if (user.contains("uid")) spec["uid"] = user["uid"];
  if (user.contains("groups")) spec["groups"] = user["groups"];
  if (user.contains("extra")) spec["extra"] = user["extra"];
  const Json sar = {
      {"apiVersion", "authorization.k8s.io/v1"}, {"kind", "SubjectAccessReview"}, {"spec", spec}};
  auto ar = api_.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar.dump(),
                         "application/json", call);
  if (!ar) return unavailable(ar.error());
  const Json& verdict = (*ar)["status"];
  if (verdict.is_object() && verdict.value("allowed", false) && !verdict.value("denied", false)) {
    return {util::AuthVerdict::kAllowed, ""};
  }
  return {util::AuthVerdict::kForbidden,
          "user \"" + username + "\" cannot " + verb + " path \"" + path + "\""};
}

}  // namespace ironlb::k8s
