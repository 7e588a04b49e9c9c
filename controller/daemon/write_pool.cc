#include "controller/daemon/write_pool.h"

namespace ironlb::controller {
namespace {
thread_local k8s::CancelToken* tlsToken = nullptr;
}  // namespace

WritePool::WritePool(boost::asio::io_context& io, std::size_t workers, const std::string& name) {
  for (std::size_t i = 0; i < workers; ++i) {
    workers_.push_back(
        std::make_unique<k8s::BackgroundWorker>(io, name + "-" + std::to_string(i), 1));
    idle_.push_back(workers_.back().get());
  }
}

WritePool::~WritePool() {
  stop();
}

k8s::CancelToken* WritePool::currentToken() {
  return tlsToken;
}

void WritePool::enqueue(Job job) {
  if (stopped_) return;
  waiting_.push_back(std::move(job));
  pump();
}

void WritePool::pump() {
  while (!stopped_ && !idle_.empty() && !waiting_.empty()) {
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    Blocking blocking = job();
    if (!blocking) continue;
    k8s::BackgroundWorker* worker = idle_.back();
    idle_.pop_back();
    const bool accepted = worker->submit<Completion>(
        [worker, blocking = std::move(blocking)] {
          tlsToken = &worker->token();
          Completion c = blocking();
          tlsToken = nullptr;
          return c;
        },
        [this, worker](Completion completion) {
          idle_.push_back(worker);
          if (completion) completion();
          pump();
        });
    if (!accepted) idle_.push_back(worker);  // only after stop(): nothing more runs
  }
}

void WritePool::stop() {
  stopped_ = true;
  waiting_.clear();
  for (auto& w : workers_)
    w->stop();
}

}  // namespace ironlb::controller
