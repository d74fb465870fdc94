#include "serve/background_queue.h"

namespace aimass::serve {

BackgroundQueue::BackgroundQueue(size_t capacity, std::function<void()> on_idle,
                                 std::chrono::milliseconds gather)
    : capacity_(capacity),
      on_idle_(std::move(on_idle)),
      gather_(gather),
      thread_([this] { Run(); }) {}

BackgroundQueue::~BackgroundQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool BackgroundQueue::Post(std::function<void()> task) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (tasks_.size() >= capacity_ || stopping_) {
      ++dropped_;
      return false;
    }
    // While the thread gathers, waking it for each task would only put it back to sleep.
    wake = gather_.count() == 0 || tasks_.empty() || tasks_.size() + 1 == capacity_ / 2;
    tasks_.push_back(std::move(task));
  }
  if (wake) wake_.notify_one();
  return true;
}

void BackgroundQueue::Drain() {
  std::unique_lock lock(mu_);
  ++drains_asked_;
  wake_.notify_one();
  idle_.wait(lock, [this] { return tasks_.empty() && !busy_; });
}

size_t BackgroundQueue::waiting() {
  std::lock_guard lock(mu_);
  return tasks_.size();
}

bool BackgroundQueue::Urgent() const {
  return stopping_ || drains_asked_ != drains_served_ ||
         (!tasks_.empty() && tasks_.size() >= capacity_ / 2);
}

void BackgroundQueue::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return Urgent() || !tasks_.empty(); });
    if (gather_.count() > 0) wake_.wait_for(lock, gather_, [this] { return Urgent(); });
    drains_served_ = drains_asked_;
    if (tasks_.empty()) {
      if (stopping_) return;
      idle_.notify_all();
      continue;
    }
    std::deque<std::function<void()>> batch;
    batch.swap(tasks_);
    busy_ = true;
    lock.unlock();
    for (auto& task : batch) task();
    batch.clear();  // what the tasks hold goes before the idle hook runs
    lock.lock();
    if (tasks_.empty() && on_idle_) {
      lock.unlock();
      on_idle_();
      lock.lock();
    }
    busy_ = false;
    if (tasks_.empty()) idle_.notify_all();
  }
}

}  // namespace aimass::serve
