// A bounded queue of tasks run one at a time on its own thread: the prediction log's writes
// and shadow predictions go here so that a request never waits for them. When the queue is
// full a new task is dropped (and counted), never blocking the caller.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace aimass::serve {

// Thread-safe.
class BackgroundQueue {
 public:
  // `on_idle`, when given, runs on the queue's thread each time the last waiting task is
  // done (the prediction log flushes its files then), before Drain returns.
  explicit BackgroundQueue(size_t capacity, std::function<void()> on_idle = {});
  // Runs the tasks still queued, then stops the thread.
  ~BackgroundQueue();
  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  // False (and the task is dropped) when `capacity` tasks are waiting.
  bool Post(std::function<void()> task);
  // Waits until every task posted before the call has run.
  void Drain();
  uint64_t dropped() const { return dropped_; }
  size_t waiting();

 private:
  void Run();

  const size_t capacity_;
  const std::function<void()> on_idle_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> tasks_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace aimass::serve
