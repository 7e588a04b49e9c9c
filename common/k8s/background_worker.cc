// BackgroundWorker.
#include "common/k8s/background_worker.h"

namespace ironlb::k8s {

BackgroundWorker::BackgroundWorker(boost::asio::io_context& io, std::string name, size_t maxQueue)
    : io_(io), name_(std::move(name)), maxQueue_(maxQueue), alive_(std::make_shared<bool>(true)) {
  thread_ = std::thread([this] { run(); });
}

BackgroundWorker::~BackgroundWorker() {
  stop();
}

bool BackgroundWorker::enqueue(std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (stopping_ || tasks_.size() >= maxQueue_) return false;
  tasks_.push_back(std::move(task));
  cv_.notify_one();
  return true;
}

size_t BackgroundWorker::pending() const {
  std::lock_guard lock(mu_);
  return tasks_.size();
}

void BackgroundWorker::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void BackgroundWorker::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    tasks_.clear();
    cv_.notify_all();
  }
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
  // Completions already posted must not run into a daemon that is shutting down. stop() is
  // called on the logic thread (or after it ended), where alive_ is read.
  *alive_ = false;
}

}  // namespace ironlb::k8s
