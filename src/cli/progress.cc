#include "cli/progress.h"

#include <algorithm>
#include <cstdio>

namespace aimass::cli {

std::string RenderProgressBar(int percent, std::string_view message, int width) {
  percent = std::clamp(percent, 0, 100);
  width = std::max(width, 1);
  int filled = percent * width / 100;
  std::string out = "[";
  out.append(static_cast<size_t>(filled), '#');
  out.append(static_cast<size_t>(width - filled), '.');
  char number[16];
  std::snprintf(number, sizeof number, "] %4d%%", percent);
  out += number;
  if (!message.empty()) {
    out += "  ";
    out += message;
  }
  return out;
}

ProgressBar::ProgressBar(std::ostream& out, bool is_terminal, std::chrono::milliseconds interval,
                         Now now)
    : out_(out), is_terminal_(is_terminal), interval_(interval), now_(std::move(now)) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int percent, std::string_view message) {
  pending_ = RenderProgressBar(percent, message);
  finished_ = false;
  if (pending_ == last_drawn_) return;
  if (is_terminal_) {
    std::string line = "\r" + pending_;
    // Blank out what is left of a longer previous line.
    if (drawn_width_ > pending_.size()) line.append(drawn_width_ - pending_.size(), ' ');
    out_ << line << std::flush;
    drawn_width_ = pending_.size();
    last_drawn_ = pending_;
    drawn_any_ = true;
    return;
  }
  auto now = now_();
  if (drawn_any_ && now - last_line_time_ < interval_) return;
  out_ << pending_ << '\n' << std::flush;
  last_drawn_ = pending_;
  last_line_time_ = now;
  drawn_any_ = true;
}

void ProgressBar::Clear() {
  if (!is_terminal_ || drawn_width_ == 0) return;
  out_ << '\r' << std::string(drawn_width_, ' ') << '\r' << std::flush;
  drawn_width_ = 0;
  last_drawn_.clear();
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (is_terminal_) {
    if (drawn_any_) out_ << '\n' << std::flush;
    last_drawn_.clear();  // a later Update starts a fresh line
  } else if (!pending_.empty() && pending_ != last_drawn_) {
    out_ << pending_ << '\n' << std::flush;
    last_drawn_ = pending_;
  }
  drawn_any_ = false;
  drawn_width_ = 0;
}

}  // namespace aimass::cli
