// Server-sent events (text/event-stream) as the WHATWG spec frames them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace aimass::cli {

struct SseEvent {
  std::string event = "message";  // the `event:` field, "message" when absent
  std::string data;               // `data:` lines joined with '\n'
  std::string id;                 // the last `id:` seen on the stream
};

// Turns a stream of bytes, fed in chunks of any size, into events. Lines may end in
// "\n", "\r\n" or "\r" (also when a "\r\n" is split across chunks); comments (":...")
// and unknown fields are ignored. Not thread-safe: one parser per stream.
class SseParser {
 public:
  // Called for every complete event; returning false asks the reader to stop.
  using EventHandler = std::function<bool(const SseEvent&)>;

  explicit SseParser(EventHandler on_event) : on_event_(std::move(on_event)) {}

  // Feeds the next bytes; returns false once the handler asked to stop.
  bool Feed(std::string_view bytes);

 private:
  bool ProcessLine(std::string_view line);

  EventHandler on_event_;
  std::string line_;
  bool last_was_cr_ = false;
  bool stopped_ = false;
  std::string event_type_;
  std::string data_;
  bool has_data_ = false;
  std::string last_id_;
};

}  // namespace aimass::cli
