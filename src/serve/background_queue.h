// A bounded queue of tasks run one at a time on its own thread: the prediction log's writes
// and shadow predictions go here so that a request never waits for them. When the queue is
// full a new task is dropped (and counted), never blocking the caller.
#pragma once

#include <atomic>
#include <chrono>
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
  // done (the prediction log writes and flushes its files then), before Drain returns.
  // With a `gather` time, the thread wakes once per that time at most, when the first task
  // of a quiet spell arrives, and runs what gathered meanwhile (sooner when the queue is
  // half full, or on Drain): a busy server then wakes it 1000 / gather times a second
  // instead of once per task, which on a small machine cost every request a context switch.
  explicit BackgroundQueue(size_t capacity, std::function<void()> on_idle = {},
                           std::chrono::milliseconds gather = {});
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
  // Needs mu_: the thread should run now rather than gather more.
  bool Urgent() const;

  const size_t capacity_;
  const std::function<void()> on_idle_;
  const std::chrono::milliseconds gather_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> tasks_;
  bool busy_ = false;
  bool stopping_ = false;
  uint64_t drains_asked_ = 0;   // Drain calls so far
  uint64_t drains_served_ = 0;  // of those, how many the thread has seen
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace aimass::serve
