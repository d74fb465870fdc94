// SourceRunner (source_runner.h).
#include "data/sources/source_runner.h"

#include <chrono>

namespace aimass::data::sources {

void SourceRunner::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void SourceRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SourceRunner::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void SourceRunner::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // A failure (the store busy) is retried at the next tick; each source's own errors are
    // in its state.
    (void)sources_.QueueDueRuns();
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(tick_millis_),
                   [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace aimass::data::sources
