// Slows token guessing: counts failed token checks per client address, and once an address
// has failed max_failures times within a window, refuses its requests that carry a token
// (429, with Retry-After) until the window ends. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace aimass::http {

class AuthFailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kWindow{60};

  // Locks an address out after `max_failures` in a window; 0 never does.
  explicit AuthFailureLimiter(int max_failures) : max_failures_(max_failures) {}
  static constexpr size_t kMaxAddresses = 100'000;  // the table empties when full

  // Whole seconds `address` must wait before its token is checked again; 0 when it may go.
  int64_t RetryAfterSeconds(const std::string& address, Clock::time_point now);
  void RecordFailure(const std::string& address, Clock::time_point now);

 private:
  struct Window {
    Clock::time_point start;
    int failures = 0;
  };
  const int max_failures_;
  // How many addresses have a window: asked on every request without the lock, so that the
  // usual case (no failures anywhere) costs one atomic load.
  std::atomic<size_t> tracked_{0};
  std::mutex mu_;
  Clock::time_point newest_failure_;  // once a window past it, every window has ended
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace aimass::http
