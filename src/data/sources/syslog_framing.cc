#include "data/sources/syslog_framing.h"

#include <algorithm>

namespace aimass::data::sources {
namespace {

// An octet count has at most this many digits (a count past 999,999,999 is not a count).
constexpr size_t kMaxCountDigits = 9;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void SyslogFramer::Append(std::string_view bytes) {
  size_t room = max_ > message_.size() ? max_ - message_.size() : 0;
  if (bytes.size() > room) truncated_ = true;
  message_.append(bytes.substr(0, room));
}

void SyslogFramer::Done(const Emit& emit, bool cut) {
  emit(message_, truncated_ || cut);
  message_.clear();
  count_text_.clear();
  remaining_ = 0;
  truncated_ = false;
  state_ = State::kStart;
}

void SyslogFramer::Feed(std::string_view bytes, const Emit& emit) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::kStart:
        // Stray line ends between frames (a CR LF sender, an LF after a counted frame).
        if (bytes[0] == '\n' || bytes[0] == '\r') {
          bytes.remove_prefix(1);
        } else {
          state_ = IsDigit(bytes[0]) ? State::kCount : State::kLine;
        }
        break;
      case State::kCount:
        if (IsDigit(bytes[0]) && count_text_.size() < kMaxCountDigits) {
          count_text_ += bytes[0];
          bytes.remove_prefix(1);
        } else if (bytes[0] == ' ' && std::stoul(count_text_) > 0) {
          remaining_ = std::stoul(count_text_);
          count_text_.clear();
          bytes.remove_prefix(1);
          state_ = State::kOctets;
        } else {  // not a count after all: the digits start an LF-delimited line
          Append(count_text_);
          count_text_.clear();
          state_ = State::kLine;
        }
        break;
      case State::kOctets: {
        size_t take = std::min(remaining_, bytes.size());
        Append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) Done(emit, false);
        break;
      }
      case State::kLine: {
        size_t end = bytes.find('\n');
        Append(bytes.substr(0, end));
        if (end == std::string_view::npos) {
          bytes = {};
        } else {
          bytes.remove_prefix(end + 1);
          Done(emit, false);
        }
        break;
      }
    }
  }
}

void SyslogFramer::Finish(const Emit& emit) {
  switch (state_) {
    case State::kStart:
      return;
    case State::kCount:
      Append(count_text_);
      Done(emit, false);
      return;
    case State::kOctets:
      Done(emit, true);
      return;
    case State::kLine:
      Done(emit, false);
      return;
  }
}

}  // namespace aimass::data::sources
