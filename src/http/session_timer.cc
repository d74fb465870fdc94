// The connection's one deadline. A single steady_timer serves every phase; extending the
// deadline (upload progress) only moves a field, and the timer re-waits when it fires.
#include "http/session.h"

namespace aimass::http {

void Session::ArmTimer(Clock::duration timeout) {
  timed_out_ = false;
  timer_armed_ = true;
  deadline_ = Clock::now() + timeout;
  if (timer_waiting_ && timer_.expiry() <= deadline_) return;  // it re-waits when it fires
  timer_.expires_at(deadline_);
  WaitTimer();
}

void Session::ExtendTimer(Clock::duration timeout) { deadline_ = Clock::now() + timeout; }

void Session::DisarmTimer() { timer_armed_ = false; }

void Session::WaitTimer() {
  timer_waiting_ = true;
  uint64_t generation = ++timer_generation_;
  timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    if (generation != self->timer_generation_) return;  // superseded by a newer wait
    self->timer_waiting_ = false;
    if (ec || !self->timer_armed_ || self->state_ == State::kClosed) return;
    if (Clock::now() < self->deadline_) {
      self->timer_.expires_at(self->deadline_);
      self->WaitTimer();
      return;
    }
    self->OnTimeout();
  });
}

void Session::OnTimeout() {
  timer_armed_ = false;
  if (state_ == State::kClosing) return Close();
  // The pending read or write completes with operation_aborted and sees timed_out_.
  timed_out_ = true;
  beast::error_code ignored;
  socket_.cancel(ignored);
}

}  // namespace aimass::http
