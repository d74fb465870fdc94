#include "http/auth_failures.h"

#include <algorithm>

namespace aimass::http {

int64_t AuthFailureLimiter::RetryAfterSeconds(const std::string& address, Clock::time_point now) {
  if (tracked_.load(std::memory_order_relaxed) == 0) return 0;
  std::lock_guard lock(mu_);
  if (now >= newest_failure_ + kWindow) {  // all windows ended: back to the lock-free path
    windows_.clear();
    tracked_ = 0;
    return 0;
  }
  auto it = windows_.find(address);
  if (it == windows_.end()) return 0;
  const auto ends = it->second.start + kWindow;
  if (now >= ends) {
    windows_.erase(it);
    tracked_ = windows_.size();
    return 0;
  }
  if (max_failures_ <= 0 || it->second.failures < max_failures_) return 0;
  return std::chrono::ceil<std::chrono::seconds>(ends - now).count();
}

void AuthFailureLimiter::RecordFailure(const std::string& address, Clock::time_point now) {
  if (max_failures_ <= 0) return;
  std::lock_guard lock(mu_);
  if (windows_.size() >= kMaxAddresses) windows_.clear();
  Window& window = windows_[address];
  if (window.failures == 0 || now >= window.start + kWindow) window = {now, 0};
  ++window.failures;
  newest_failure_ = std::max(newest_failure_, now);
  tracked_ = windows_.size();
}

}  // namespace aimass::http
