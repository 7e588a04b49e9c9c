// WorkQueue.
#include "common/k8s/work_queue.h"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "common/k8s/k8s_metrics.h"

namespace ironlb::k8s {

WorkQueue::WorkQueue(boost::asio::io_context& io, Handler handler, WorkQueueOptions options)
    : io_(io),
      handler_(std::move(handler)),
      options_(std::move(options)),
      alive_(std::make_shared<Alive>()) {
  if (!options_.random) options_.random = util::makeRandomSource();
  if (!options_.clock) options_.clock = &util::SystemClock::instance();
}

WorkQueue::~WorkQueue() {
  shutDown();
}

void WorkQueue::shutDown() {
  shutDown_ = true;
  alive_->alive = false;
  queue_.clear();
  queuedSet_.clear();
  dirty_.clear();
  for (auto& [key, d] : delayed_)
    d.timer->cancel();
  delayed_.clear();
}

void WorkQueue::add(const std::string& key) {
  if (shutDown_) return;
  if (processing_.count(key)) {
    dirty_.insert(key);
    return;
  }
  if (!queuedSet_.insert(key).second) return;
  queue_.push_back(key);
  schedule();
}

void WorkQueue::addAfter(const std::string& key, util::Duration delay) {
  if (shutDown_) return;
  if (delay <= util::Duration::zero()) {
    add(key);
    return;
  }
  const util::MonoTime due = options_.clock->now() + delay;
  auto it = delayed_.find(key);
  if (it != delayed_.end()) {
    if (it->second.due <= due) return;  // an earlier wake-up is already set
    it->second.timer->cancel();
    delayed_.erase(it);
  }
  auto timer = std::make_unique<boost::asio::steady_timer>(
      io_, std::chrono::duration_cast<boost::asio::steady_timer::duration>(delay));
  timer->async_wait([this, key, alive = alive_, due](const boost::system::error_code& ec) {
    if (ec || !alive->alive) return;
    auto found = delayed_.find(key);
    if (found == delayed_.end() || found->second.due != due) return;
    delayed_.erase(found);
    add(key);
  });
  delayed_[key] = Delayed{std::move(timer), due};
}

void WorkQueue::addRateLimited(const std::string& key) {
  int& n = failures_[key];
  util::Duration d =
      util::applyJitter(options_.retry, util::backoffDelay(options_.retry, n), options_.random);
  if (auto it = minBackoff_.find(key); it != minBackoff_.end()) {
    d = std::max(d, it->second);
    minBackoff_.erase(it);
  }
  if (n < 1'000'000) ++n;
  addAfter(key, d);
}

void WorkQueue::retryNoSoonerThan(const std::string& key, util::Duration d) {
  if (shutDown_) return;
  util::Duration& min = minBackoff_[key];
  min = std::max(min, d);
}

void WorkQueue::forget(const std::string& key) {
  failures_.erase(key);
  minBackoff_.erase(key);
}

int WorkQueue::failures(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::schedule() {
  if (dispatchPosted_ || queue_.empty()) return;
  dispatchPosted_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (!alive->alive) return;
    dispatchPosted_ = false;
    dispatchOne();
    schedule();
  });
}

void WorkQueue::dispatchOne() {
  if (queue_.empty()) return;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  queuedSet_.erase(key);
  processing_.insert(key);
  auto once = std::make_shared<std::atomic<bool>>(false);
  Done done = [this, key, alive = alive_, once, &io = io_](Outcome outcome) {
    if (once->exchange(true)) return;
    boost::asio::post(io, [this, key, alive, outcome] {
      if (!alive->alive) return;
      finish(key, outcome);
    });
  };
  handler_(key, std::move(done));
}

void WorkQueue::finish(const std::string& key, Outcome outcome) {
  processing_.erase(key);
  if (options_.metrics) {
    options_.metrics->updates().inc();
    if (outcome == Outcome::kRetry) options_.metrics->updateErrors().inc();
  }
  const bool wasDirty = dirty_.erase(key) > 0;
  if (outcome == Outcome::kDone) {
    forget(key);
    if (wasDirty) add(key);
  } else if (wasDirty && !minBackoff_.count(key)) {
    // New information arrived while it ran: try again now rather than after the backoff
    // (unless the server said when to come back).
    add(key);
  } else {
    addRateLimited(key);
  }
}

}  // namespace ironlb::k8s
