// Slows token guessing: counts failed token checks per client address, and once an address
// has failed max_failures times within a window, refuses its requests that carry a token
// (429, with Retry-After) until the window ends. Thread-safe.
#pragma once

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
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace aimass::http
