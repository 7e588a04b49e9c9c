#pragma once
// TokenSource: the bearer token for each request. A fixed token, or a token file that is
// re-read when it changes: a long-running daemon keeps working across service account token
// rotation (kubelet rewrites the projected token file well before expiry).
//
// A file is re-read when its mtime or size changed since the last read, when the cached value
// is older than maxAge (catches same-size rewrites within the mtime granularity), or after
// invalidate() (the transport calls it on a 401). If a re-read fails, the last good token is
// kept; only a file that never could be read is an error. Thread-safe.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/k8s/watched_file.h"
#include "common/util/clock.h"
#include "common/util/result.h"

namespace ironlb::k8s {

class TokenSource {
 public:
  static std::shared_ptr<TokenSource> fixed(std::string token);
  static std::shared_ptr<TokenSource> fromFile(std::string path, const util::Clock& clock,
                                               util::Duration maxAge = std::chrono::minutes(1));

  // The current token (whitespace trimmed); empty means "no bearer token".
  Result<std::string> token();
  void invalidate();
  // How many times the file was actually read (for tests and debug logs).
  int reads() const;

 private:
  TokenSource(std::string token, std::string path, const util::Clock* clock, util::Duration maxAge);

  mutable std::mutex mu_;
  std::string token_;
  const std::string path_;
  const util::Clock* clock_;
  const util::Duration maxAge_;
  bool loaded_ = false;
  bool invalid_ = false;
  util::MonoTime loadedAt_{};
  FileStamp stamp_{};
  int reads_ = 0;
};

}  // namespace ironlb::k8s
