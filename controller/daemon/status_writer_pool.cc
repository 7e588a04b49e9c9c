#include "controller/daemon/status_writer_pool.h"

#include <algorithm>

namespace ironlb::controller {
namespace {
thread_local k8s::CancelToken* tlsToken = nullptr;

// When the server pushes back without saying for how long (no Retry-After).
constexpr util::Duration kDefaultPause = std::chrono::seconds(1);
// Writes in flight at first (slow start).
constexpr std::size_t kInitialLimit = 4;
}  // namespace

StatusWriterPool::StatusWriterPool(boost::asio::io_context& io, std::size_t workers,
                                   const std::string& name, k8s::BusySignal* busySignal,
                                   const util::Clock& clock)
    : busySignal_(busySignal),
      clock_(clock),
      limit_(std::clamp<std::size_t>(workers, 1, kInitialLimit)),
      threshold_(std::max<std::size_t>(workers, 1)),
      resume_(io),
      alive_(std::make_shared<bool>(true)) {
  for (std::size_t i = 0; i < workers; ++i) {
    workers_.push_back(
        std::make_unique<k8s::BackgroundWorker>(io, name + "-" + std::to_string(i), 1));
    idle_.push_back(workers_.back().get());
  }
}

StatusWriterPool::~StatusWriterPool() {
  stop();
  *alive_ = false;
}

k8s::CancelToken* StatusWriterPool::currentToken() {
  return tlsToken;
}

void StatusWriterPool::enqueue(Job job) {
  if (stopped_) return;
  waiting_.push_back(std::move(job));
  pump();
  signal();
}

void StatusWriterPool::succeeded() {
  if (limit_ >= workers_.size() || clock_.now() < holdUntil_) return;
  if (limit_ < threshold_) {
    ++limit_;  // slow start: one more per success doubles the limit each round
  } else if (++successes_ >= limit_) {
    ++limit_;
    successes_ = 0;
  }
}

StatusWriterPool::Pushback StatusWriterPool::pushedBack(util::Duration retryAfter) {
  if (stopped_ || completing_ <= decreasedAt_) return Pushback::kNone;
  const util::Duration wait = retryAfter > util::Duration::zero() ? retryAfter : kDefaultPause;
  const util::MonoTime until = clock_.now() + wait;
  decreasedAt_ = started_;
  successes_ = 0;
  holdUntil_ = until;
  if (limit_ > 1) {
    limit_ /= 2;
    threshold_ = limit_;
    return Pushback::kFewer;
  }
  threshold_ = 1;
  paused_ = true;
  resume_.expires_after(std::chrono::duration_cast<boost::asio::steady_timer::duration>(wait));
  resume_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || stopped_) return;
    paused_ = false;
    pump();
    signal();
  });
  return Pushback::kPaused;
}

void StatusWriterPool::pump() {
  while (!stopped_ && !paused_ && busy() < limit_ && !idle_.empty() && !waiting_.empty()) {
    Job job = std::move(waiting_.front());
    waiting_.pop_front();
    Blocking blocking = job();
    if (!blocking) continue;
    k8s::BackgroundWorker* worker = idle_.back();
    idle_.pop_back();
    const uint64_t number = ++started_;
    const bool accepted = worker->submit<Completion>(
        [worker, blocking = std::move(blocking)] {
          tlsToken = &worker->token();
          Completion c = blocking();
          tlsToken = nullptr;
          return c;
        },
        [this, worker, number](Completion completion) {
          idle_.push_back(worker);
          completing_ = number;
          if (completion) completion();
          completing_ = 0;
          pump();
          signal();
        });
    if (!accepted) idle_.push_back(worker);  // only after stop(): nothing more runs
  }
}

void StatusWriterPool::signal() {
  if (busySignal_) busySignal_->set(stopped_ ? 0 : waiting_.size() + busy());
}

void StatusWriterPool::stop() {
  stopped_ = true;
  waiting_.clear();
  resume_.cancel();
  for (auto& w : workers_)
    w->stop();
  signal();
}

}  // namespace ironlb::controller
