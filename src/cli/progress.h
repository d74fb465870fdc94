// Progress on stderr: a bar redrawn in place on a terminal, occasional plain lines in logs.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace aimass::cli {

// "[#########...........]  45%  parsing": `width` cells of bar, the percent clamped to
// 0..100 and right-aligned in four columns, then the message (omitted when empty).
std::string RenderProgressBar(int percent, std::string_view message, int width = 20);

// Shows a sequence of (percent, message) updates. On a terminal every change redraws one
// line with '\r'; otherwise a plain line is written at most once per `interval` (and the
// last state by Finish), so CI logs stay short. Not thread-safe.
class ProgressBar {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  ProgressBar(std::ostream& out, bool is_terminal,
              std::chrono::milliseconds interval = std::chrono::seconds(3),
              Now now = std::chrono::steady_clock::now);
  ~ProgressBar();

  void Update(int percent, std::string_view message);
  // Ends the line on a terminal, or prints the last state if a log line has not shown it.
  void Finish();
  // On a terminal, blanks the bar's line so that the caller can print a line of its own
  // there; the next Update draws the bar again below it.
  void Clear();

 private:
  std::ostream& out_;
  bool is_terminal_;
  std::chrono::milliseconds interval_;
  Now now_;
  std::string last_drawn_;  // the last text written
  std::string pending_;     // the latest state, perhaps not yet written
  bool drawn_any_ = false;
  bool finished_ = false;
  size_t drawn_width_ = 0;
  std::chrono::steady_clock::time_point last_line_time_{};
};

}  // namespace aimass::cli
