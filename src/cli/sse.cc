#include "cli/sse.h"

namespace aimass::cli {

bool SseParser::Feed(std::string_view bytes) {
  for (char c : bytes) {
    if (stopped_) return false;
    if (c == '\n' && last_was_cr_) {  // the second half of a "\r\n"
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      stopped_ = !ProcessLine(line_);
      line_.clear();
    } else {
      line_ += c;
    }
  }
  return !stopped_;
}

bool SseParser::ProcessLine(std::string_view line) {
  if (line.empty()) {  // a blank line dispatches the event gathered so far
    bool keep_going = true;
    if (has_data_) {
      SseEvent event;
      if (!event_type_.empty()) event.event = event_type_;
      event.data = data_;
      event.id = last_id_;
      keep_going = on_event_(event);
    }
    event_type_.clear();
    data_.clear();
    has_data_ = false;
    return keep_going;
  }
  if (line.front() == ':') return true;  // a comment, often a keep-alive
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (field == "event") {
    event_type_ = std::string(value);
  } else if (field == "data") {
    if (has_data_) data_ += '\n';
    data_ += value;
    has_data_ = true;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value);
  }
  return true;
}

}  // namespace aimass::cli
