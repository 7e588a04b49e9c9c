// TokenSource.
#include "common/k8s/token_source.h"

#include <cerrno>
#include <cstring>

#include "common/k8s/cluster_config.h"
#include "common/util/strings.h"

namespace ironlb::k8s {
namespace {

std::string trim(const std::string& s) {
  return std::string(util::trim(s, util::kWhitespace));
}

}  // namespace

TokenSource::TokenSource(std::string token, std::string path, const util::Clock* clock,
                         util::Duration maxAge)
    : token_(std::move(token)), path_(std::move(path)), clock_(clock), maxAge_(maxAge) {}

std::shared_ptr<TokenSource> TokenSource::fixed(std::string token) {
  return std::shared_ptr<TokenSource>(new TokenSource(trim(token), "", nullptr, {}));
}

std::shared_ptr<TokenSource> TokenSource::fromFile(std::string path, const util::Clock& clock,
                                                   util::Duration maxAge) {
  return std::shared_ptr<TokenSource>(new TokenSource("", std::move(path), &clock, maxAge));
}

Result<std::string> TokenSource::token() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return token_;
  const auto stamp = FileStamp::of(path_);
  const util::MonoTime now = clock_->now();
  bool reread = !loaded_ || invalid_ || now - loadedAt_ >= maxAge_;
  if (stamp && !(*stamp == stamp_)) reread = true;
  if (!reread) return token_;
  auto text = readFileText(path_);
  if (!text || trim(*text).empty()) {
    if (loaded_) return token_;  // keep serving the last good token
    return makeError("bearer token file: " + (text ? path_ + " is empty" : text.error()));
  }
  ++reads_;
  token_ = trim(*text);
  loaded_ = true;
  invalid_ = false;
  loadedAt_ = now;
  if (stamp) stamp_ = *stamp;
  return token_;
}

void TokenSource::invalidate() {
  std::lock_guard lock(mu_);
  invalid_ = true;
}

int TokenSource::reads() const {
  std::lock_guard lock(mu_);
  return reads_;
}

}  // namespace ironlb::k8s
