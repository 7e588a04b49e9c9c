#pragma once
// TokenBucket: the client-wide rate limit on API writes (docs/kubernetes-client.md, "Rate
// limit"). `burst` tokens at first, refilled at `qps` per second up to `burst`. take() always
// grants a token and says how long the caller must wait before using it: tokens may go
// negative, so concurrent callers queue in the order they asked (a reservation, like
// client-go's limiter) and nobody polls. qps <= 0 means no limit. Thread-safe.

#include <mutex>

#include "common/util/clock.h"

namespace ironlb::k8s {

class TokenBucket {
 public:
  TokenBucket(double qps, double burst, const util::Clock& clock);

  // Reserves one token; the wait before it is due (zero when one was in hand).
  util::Duration take();
  bool unlimited() const { return qps_ <= 0; }

 private:
  const double qps_;
  const double burst_;
  const util::Clock& clock_;
  std::mutex mu_;
  double tokens_;
  util::MonoTime last_;
};

// The daemons' --kube-api-qps / --kube-api-burst: common/cli/common_flags.h.

}  // namespace ironlb::k8s
