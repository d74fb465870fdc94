#include "serve/instances_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace aimass::serve {
namespace {

using train::ColumnKind;

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Appends code point `cp` as UTF-8.
void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of the well-formed UTF-8 sequence at `s` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
size_t Utf8Length(const unsigned char* s, size_t left) {
  const unsigned char c = s[0];
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (left < length || s[1] < low || s[1] > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  }
  return length;
}

// A value as the reader met it.
enum class Token { kNull, kTrue, kFalse, kNumber, kString };

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (at_ < text_.size() && IsSpace(text_[at_])) ++at_;
  }
  bool Take(char c) {
    SkipSpace();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }
  size_t at() const { return at_; }
  // The text from `start` to here.
  std::string_view Since(size_t start) const { return text_.substr(start, at_ - start); }

  // A key: printable ASCII without escapes (anything else goes the general way).
  std::optional<std::string_view> Key() {
    if (!Take('"')) return std::nullopt;
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      const char c = text_[at_];
      if (c < 0x20 || c > 0x7E || c == '\\') return std::nullopt;
      ++at_;
    }
    if (at_ >= text_.size()) return std::nullopt;
    return text_.substr(start, at_++ - start);
  }

  // One scalar value; `text` gets a string's decoded text, `number` a number's value.
  std::optional<Token> Value(std::string& text, double& number) {
    SkipSpace();
    if (at_ >= text_.size()) return std::nullopt;
    switch (text_[at_]) {
      case 'n':
        return Literal("null") ? std::optional(Token::kNull) : std::nullopt;
      case 't':
        return Literal("true") ? std::optional(Token::kTrue) : std::nullopt;
      case 'f':
        return Literal("false") ? std::optional(Token::kFalse) : std::nullopt;
      case '"':
        return String(text) ? std::optional(Token::kString) : std::nullopt;
      default:
        return Number(number) ? std::optional(Token::kNumber) : std::nullopt;
    }
  }

 private:
  bool Literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // JSON's number grammar, then the nearest double; an overflow is not read here.
  bool Number(double& number) {
    const size_t start = at_;
    auto digits = [this] {
      const size_t from = at_;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
      return at_ - from;
    };
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (digits() == 0) {
      return false;
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (digits() == 0) return false;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (digits() == 0) return false;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    const auto [end, error] = std::from_chars(first, last, number);
    return error == std::errc() && end == last && std::isfinite(number);
  }

  bool Hex4(uint32_t& value) {
    if (text_.size() - at_ < 4) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[at_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  bool Escape(std::string& out) {
    if (at_ >= text_.size()) return false;
    switch (text_[at_++]) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    uint32_t cp = 0;
    if (!Hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (text_.substr(at_, 2) != "\\u") return false;
      at_ += 2;
      if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool String(std::string& out) {
    out.clear();
    ++at_;  // the opening quote
    while (at_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c == '\\') {
        ++at_;
        if (!Escape(out)) return false;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        out += static_cast<char>(c);
        ++at_;
      } else {
        const size_t length = Utf8Length(reinterpret_cast<const unsigned char*>(text_.data()) + at_,
                                         text_.size() - at_);
        if (length == 0) return false;
        out.append(text_.data() + at_, length);
        at_ += length;
      }
    }
    return false;
  }

  std::string_view text_;
  size_t at_ = 0;
};

// Appends one value to `column`; false when it is not one the fast lane takes for it.
bool Append(train::FrameColumn& column, Token token, std::string& text, double number) {
  if (token == Token::kNull) {
    if (column.kind == ColumnKind::kText) {
      column.texts.emplace_back();
      column.present.push_back(0);
    } else {
      column.numbers.push_back(kMissing);
    }
    return true;
  }
  switch (column.kind) {
    case ColumnKind::kNumber:
    case ColumnKind::kDatetime:
      if (token != Token::kNumber) return false;
      column.numbers.push_back(number);
      return true;
    case ColumnKind::kBoolean:
      if (token == Token::kTrue || token == Token::kFalse) {
        column.numbers.push_back(token == Token::kTrue ? 1 : 0);
        return true;
      }
      if (token != Token::kNumber || (number != 0 && number != 1)) return false;
      column.numbers.push_back(number);
      return true;
    case ColumnKind::kText:
      if (token == Token::kTrue || token == Token::kFalse) {
        text = token == Token::kTrue ? "true" : "false";
      } else if (token != Token::kString) {
        return false;
      }
      column.texts.push_back(std::move(text));
      column.present.push_back(1);
      return true;
  }
  return false;
}

// Reads one record into the frame's columns, and its text without the whitespace between
// tokens into `compact` (from the tokens' spans: the record as sent, for the prediction log).
bool ReadRecord(Reader& reader, const train::FrameSchema& schema, train::Frame& frame,
                std::vector<uint8_t>& seen, std::string& compact) {
  if (!reader.Take('{')) return false;
  compact.push_back('{');
  std::fill(seen.begin(), seen.end(), 0);
  size_t found = 0;
  size_t next = 0;  // records usually list the columns in the schema's order
  std::string text;
  double number = 0;
  if (!reader.Take('}')) {
    do {
      reader.SkipSpace();
      const size_t key_start = reader.at();
      const auto key = reader.Key();
      if (!key) return false;
      const std::string_view quoted_key = reader.Since(key_start);
      if (!reader.Take(':')) return false;
      const size_t count = schema.columns.size();
      size_t column = count;
      for (size_t i = 0; i < count; ++i) {
        const size_t candidate = (next + i) % count;
        if (schema.columns[candidate].name == *key) {
          column = candidate;
          break;
        }
      }
      reader.SkipSpace();
      const size_t value_start = reader.at();
      const auto token = reader.Value(text, number);
      if (!token) return false;
      if (compact.size() > 1) compact.push_back(',');
      compact.append(quoted_key);
      compact.push_back(':');
      compact.append(reader.Since(value_start));
      if (column == count) continue;  // not a column the model reads
      if (seen[column]) return false;
      seen[column] = 1;
      ++found;
      next = column + 1;
      if (!Append(frame.columns[column], *token, text, number)) return false;
    } while (reader.Take(','));
    if (!reader.Take('}')) return false;
  }
  compact.push_back('}');
  return found == schema.columns.size();
}

}  // namespace

bool ReadInstancesInto(std::string_view body, const train::FrameSchema& schema,
                       Instances& into) {
  Reader reader(body);
  if (!reader.Take('{')) return false;
  const auto key = reader.Key();
  if (!key || *key != "instances" || !reader.Take(':') || !reader.Take('[')) return false;
  train::Frame& frame = into.frame;
  frame.columns.resize(schema.columns.size());
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    train::FrameColumn& column = frame.columns[i];
    const train::ColumnSchema& wanted = schema.columns[i];
    if (column.name != wanted.name) column.name = wanted.name;
    if (column.type != wanted.type) column.type = wanted.type;
    column.kind = wanted.kind;
    column.numbers.clear();
    column.texts.clear();
    column.present.clear();
  }
  into.records.clear();
  std::vector<uint8_t> seen(schema.columns.size());
  do {
    std::string& compact = into.records.emplace_back();
    compact.reserve(std::min<size_t>(body.size(), 1024));
    if (!ReadRecord(reader, schema, frame, seen, compact)) return false;
  } while (reader.Take(','));
  if (!reader.Take(']') || !reader.Take('}') || !reader.AtEnd()) return false;
  frame.rows = static_cast<int64_t>(into.records.size());
  return true;
}

std::optional<Instances> ReadInstances(std::string_view body, const train::FrameSchema& schema) {
  Instances instances;
  if (!ReadInstancesInto(body, schema, instances)) return std::nullopt;
  return instances;
}

}  // namespace aimass::serve
