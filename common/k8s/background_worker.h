#pragma once
// BackgroundWorker: runs blocking API calls off the logic thread and posts each result back to
// it. The logic thread stays responsive (packets, probes, other informers) however slow the API
// server is; results arrive as ordinary io_context tasks, so the daemon still needs no locks.
//
//   worker.submit<ApiResult<Json>>(
//       [&api, obj] { return api.updateStatus(resources::kServices, obj); },  // worker thread
//       [done](ApiResult<Json> r) { done(r ? kDone : kRetry); });                // logic thread
//
// Work runs in submission order on one thread. The work function must only touch what it
// captured by value or what is itself thread-safe (ApiClient is). A full queue rejects new work
// (submit returns false) instead of growing without bound. stop() cancels the call in flight
// (through token()), drops queued work without running its completion, and joins.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/k8s/cancel_token.h"

namespace ironlb::k8s {

class BackgroundWorker {
 public:
  BackgroundWorker(boost::asio::io_context& io, std::string name, size_t maxQueue = 10000);
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  template <class R>
  bool submit(std::function<R()> work, std::function<void(R)> done) {
    return enqueue([this, work = std::move(work), done = std::move(done)]() mutable {
      auto result = std::make_shared<R>(work());
      boost::asio::post(io_, [alive = alive_, done = std::move(done), result]() mutable {
        if (*alive) done(std::move(*result));
      });
    });
  }

  // Cancelled by stop(); pass it as CallOptions::cancel in work functions so stop() is prompt.
  CancelToken& token() { return cancel_; }
  size_t pending() const;
  void stop();

 private:
  bool enqueue(std::function<void()> task);
  void run();

  boost::asio::io_context& io_;
  const std::string name_;
  const size_t maxQueue_;
  std::shared_ptr<bool> alive_;  // read on the logic thread only
  CancelToken cancel_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ironlb::k8s
