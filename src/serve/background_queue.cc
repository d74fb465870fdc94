#include "serve/background_queue.h"

namespace aimass::serve {

BackgroundQueue::BackgroundQueue(size_t capacity, std::function<void()> on_idle)
    : capacity_(capacity), on_idle_(std::move(on_idle)), thread_([this] { Run(); }) {}

BackgroundQueue::~BackgroundQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool BackgroundQueue::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (tasks_.size() >= capacity_ || stopping_) {
      ++dropped_;
      return false;
    }
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void BackgroundQueue::Drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return tasks_.empty() && !busy_; });
}

size_t BackgroundQueue::waiting() {
  std::lock_guard lock(mu_);
  return tasks_.size();
}

void BackgroundQueue::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    busy_ = true;
    lock.unlock();
    task();
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
