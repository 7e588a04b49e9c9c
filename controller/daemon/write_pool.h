#pragma once
// WritePool: a bounded number of blocking API writes in flight at once, each on its own
// BackgroundWorker thread, fed in FIFO order from the logic thread.
//
// A job is prepared only when a worker is free, so what it writes is decided from the freshest
// state (the informer's latest copy of the object), not from a snapshot taken when the job was
// queued; waiting jobs hold no object copies. The three stages:
//   Job        logic thread, when a worker is free: returns the blocking call, or {} to skip;
//   Blocking   the worker thread: the API call; returns the completion;
//   Completion logic thread: handles the result.
// After stop() nothing runs any more (waiting jobs are dropped, completions become no-ops).

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/k8s/background_worker.h"

namespace ironlb::controller {

class WritePool {
 public:
  using Completion = std::function<void()>;
  using Blocking = std::function<Completion()>;
  using Job = std::function<Blocking()>;

  WritePool(boost::asio::io_context& io, std::size_t workers, const std::string& name);
  ~WritePool();
  WritePool(const WritePool&) = delete;
  WritePool& operator=(const WritePool&) = delete;

  void enqueue(Job job);
  std::size_t waiting() const { return waiting_.size(); }
  std::size_t busy() const { return workers_.size() - idle_.size(); }
  bool idle() const { return waiting_.empty() && idle_.size() == workers_.size(); }
  // Cancels the calls in flight (through each worker's token), drops waiting jobs, joins.
  void stop();

  // The cancel token of the worker running the current blocking call (pass it as
  // CallOptions::cancel). Valid only inside a Blocking function.
  static k8s::CancelToken* currentToken();

 private:
  void pump();

  std::vector<std::unique_ptr<k8s::BackgroundWorker>> workers_;
  std::vector<k8s::BackgroundWorker*> idle_;
  std::deque<Job> waiting_;
  bool stopped_ = false;
};

}  // namespace ironlb::controller
