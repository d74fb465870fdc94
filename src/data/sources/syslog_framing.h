// Splitting a TCP syslog byte stream into messages (RFC 6587): octet counting ("57 <34>1 ...")
// and LF-delimited lines, chosen per message by its first byte (a digit: a count).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace aimass::data::sources {

// One TCP connection's framing state. A message longer than `max_message_bytes` is cut to
// that length (the rest of its frame is skipped) and emitted with `truncated` set. Not
// thread-safe: one per connection.
class SyslogFramer {
 public:
  using Emit = std::function<void(std::string_view message, bool truncated)>;

  explicit SyslogFramer(size_t max_message_bytes) : max_(max_message_bytes) {}

  // Emits every message that `bytes` completes.
  void Feed(std::string_view bytes, const Emit& emit);
  // At the connection's end: emits what is left of an unfinished message (truncated when
  // its octet count promised more).
  void Finish(const Emit& emit);

 private:
  enum class State { kStart, kCount, kOctets, kLine };

  void Append(std::string_view bytes);
  void Done(const Emit& emit, bool cut);

  size_t max_;
  State state_ = State::kStart;
  std::string message_;
  std::string count_text_;  // the digits of an octet count being read
  size_t remaining_ = 0;    // octets still to come in a counted frame
  bool truncated_ = false;
};

}  // namespace aimass::data::sources
