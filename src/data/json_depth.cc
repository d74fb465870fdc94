#include "data/json_depth.h"

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace aimass::data {
namespace {

std::unexpected<Error> TooDeep(std::string_view what, int max_depth, size_t at) {
  return Fail(ErrorCode::kInvalidArgument, std::string(what) +
                                               " nests arrays and objects deeper than " +
                                               std::to_string(max_depth) + " levels (at byte " +
                                               std::to_string(at) + "); send a flatter document");
}

// Walks UBJSON without recursion, skipping every payload, to find how deep it nests.
class UbjsonWalker {
 public:
  UbjsonWalker(std::string_view bytes, std::string_view what, int max_depth)
      : bytes_(bytes), what_(what), max_depth_(max_depth) {}

  Status Walk() {
    AIMASS_RETURN_IF_ERROR(Value(Next()));
    while (!stack_.empty()) {
      Frame& frame = stack_.back();
      if (frame.left == 0) {
        stack_.pop_back();
        continue;
      }
      if (frame.left < 0 && Peek() == (frame.object ? '}' : ']')) {
        ++pos_;
        stack_.pop_back();
        continue;
      }
      if (frame.left > 0) --frame.left;
      if (frame.object) AIMASS_RETURN_IF_ERROR(Skip(Integer()));  // the key
      const char marker = frame.type != 0 ? frame.type : Next();
      AIMASS_RETURN_IF_ERROR(Value(marker));
    }
    return ok_ ? Ok() : Malformed();
  }

 private:
  struct Frame {
    bool object;
    char type;     // the marker of every value ('$'), or 0
    int64_t left;  // values still to come ('#'), or -1: until the end marker
  };

  // Payload bytes of a marker with a fixed-size payload; -1 for other markers.
  static int FixedSize(char marker) {
    switch (marker) {
      case 'Z':
      case 'N':
      case 'T':
      case 'F':
        return 0;
      case 'i':
      case 'U':
      case 'C':
        return 1;
      case 'I':
        return 2;
      case 'l':
      case 'd':
        return 4;
      case 'L':
      case 'D':
        return 8;
      default:
        return -1;
    }
  }

  char Peek() const { return pos_ < bytes_.size() ? bytes_[pos_] : '\0'; }
  char Next() {
    if (pos_ >= bytes_.size()) ok_ = false;
    return pos_ < bytes_.size() ? bytes_[pos_++] : '\0';
  }

  Status Skip(int64_t count) {
    if (!ok_ || count < 0 || static_cast<uint64_t>(count) > bytes_.size() - pos_) {
      return Malformed();
    }
    pos_ += static_cast<size_t>(count);
    return Ok();
  }

  // A length or count: an integer marker and its big-endian value; -1 when malformed.
  int64_t Integer() {
    const char marker = Next();
    const int size =
        marker == 'i' || marker == 'U' || marker == 'I' || marker == 'l' || marker == 'L'
            ? FixedSize(marker)
            : -1;
    if (size < 0 || static_cast<size_t>(size) > bytes_.size() - pos_) return -1;
    int64_t value = marker == 'U' ? 0 : static_cast<signed char>(bytes_[pos_]) < 0 ? -1 : 0;
    for (int i = 0; i < size; ++i) value = value * 256 + static_cast<unsigned char>(bytes_[pos_++]);
    return value;
  }

  Status Value(char marker) {
    if (!ok_) return Malformed();
    if (marker == '[' || marker == '{') return Open(marker == '{');
    if (marker == 'S' || marker == 'H') return Skip(Integer());
    const int size = FixedSize(marker);
    return size < 0 ? Malformed() : Skip(size);
  }

  Status Open(bool object) {
    Frame frame{object, 0, -1};
    if (Peek() == '$') {
      ++pos_;
      frame.type = Next();
      if (frame.type != 'S' && frame.type != 'H' && FixedSize(frame.type) < 0) return Malformed();
      if (Peek() != '#') return Malformed();  // a type needs a count
    }
    if (Peek() == '#') {
      ++pos_;
      frame.left = Integer();
      if (frame.left < 0) return Malformed();
      // An array of fixed-size values is skipped whole (a count of 2^60 nulls is no loop).
      const int size = object ? -1 : FixedSize(frame.type);
      if (frame.type != 0 && size >= 0) {
        if (size > 0 && frame.left > static_cast<int64_t>(bytes_.size() - pos_) / size) {
          return Malformed();
        }
        AIMASS_RETURN_IF_ERROR(Skip(frame.left * size));
        frame.left = 0;
      }
    }
    stack_.push_back(frame);
    if (static_cast<int>(stack_.size()) > max_depth_) return TooDeep(what_, max_depth_, pos_);
    return Ok();
  }

  std::unexpected<Error> Malformed() const {
    return Fail(
        ErrorCode::kInvalidArgument,
        std::string(what_) + " is not well-formed UBJSON (at byte " + std::to_string(pos_) + ")");
  }

  std::string_view bytes_;
  std::string_view what_;
  int max_depth_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::vector<Frame> stack_;
};

}  // namespace

Status CheckJsonDepth(std::string_view text, std::string_view what, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return TooDeep(what, max_depth, i);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Ok();
}

Status CheckUbjsonDepth(std::string_view bytes, std::string_view what, int max_depth) {
  return UbjsonWalker(bytes, what, max_depth).Walk();
}

Status CheckModelFileDepth(std::string_view bytes, std::string_view what) {
  const std::string_view kSpace = " \t\r\n";
  const size_t first = bytes.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return Ok();
  if (bytes[first] == '[') return CheckJsonDepth(bytes, what);
  if (bytes[first] != '{') return Ok();
  // As the model readers decide: text follows '{' with a key's quote, white space or '}';
  // UBJSON with a length's type marker or an optimized container's '$' or '#'.
  const size_t next = bytes.find_first_not_of(kSpace, first + 1);
  const bool text = next == std::string_view::npos || bytes[next] == '"' || bytes[next] == '}' ||
                    next != first + 1;
  return text ? CheckJsonDepth(bytes, what) : CheckUbjsonDepth(bytes.substr(first), what);
}

}  // namespace aimass::data
