#include "data/sources/syslog_parser.h"

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace aimass::data::sources {
namespace {

namespace chrono = std::chrono;
using Json = nlohmann::ordered_json;

constexpr int64_t kDayMillis = 24 * 3600 * 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsPrintUsAscii(char c) { return c >= 33 && c <= 126; }

// Reads `count` digits at `text[at]` as a number, or -1.
int Digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (!IsDigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<int64_t> UtcMillis(int year, int month, int day, int hour, int minute, int second) {
  chrono::year_month_day date{chrono::year{year}, chrono::month{static_cast<unsigned>(month)},
                              chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t days = chrono::sys_days{date}.time_since_epoch().count();
  return ((days * 24 + hour) * 60 + minute) * 60'000 + int64_t{second} * 1000;
}

// A reader that moves through one message left to right.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return at_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[at_]; }
  std::string_view Rest() const { return text_.substr(std::min(at_, text_.size())); }
  bool Take(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++at_;
    return true;
  }
  // The characters up to the next space (or the end), at most `max` of them, all printable
  // US-ASCII; nullopt when empty, too long or not printable.
  std::optional<std::string_view> Token(size_t max) {
    size_t start = at_;
    while (!AtEnd() && text_[at_] != ' ') {
      if (!IsPrintUsAscii(text_[at_]) || at_ - start >= max) return std::nullopt;
      ++at_;
    }
    if (at_ == start) return std::nullopt;
    return text_.substr(start, at_ - start);
  }
  char Next() { return text_[at_++]; }  // only when !AtEnd()
  void Skip(size_t count) { at_ += count; }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

SyslogMessage Malformed(std::string_view line, std::string problem) {
  SyslogMessage message;
  message.message = std::string(line.substr(0, kMaxMalformedBytes));
  message.problem = std::move(problem);
  return message;
}

// RFC 5424 TIMESTAMP (without the NILVALUE): 2003-10-11T22:14:15.003Z or ...+02:00.
std::optional<int64_t> ParseRfc5424Time(std::string_view t) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  int year = Digits(t, 0, 4), month = Digits(t, 5, 2), day = Digits(t, 8, 2);
  int hour = Digits(t, 11, 2), minute = Digits(t, 14, 2), second = Digits(t, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  size_t at = 19;
  int64_t fraction_millis = 0;
  if (t[at] == '.') {
    size_t digits = 0;
    for (++at; at < t.size() && IsDigit(t[at]); ++at, ++digits) {
      if (digits < 3) fraction_millis += (t[at] - '0') * (digits == 0 ? 100 : digits == 1 ? 10 : 1);
    }
    if (digits == 0 || digits > 6) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  std::string_view zone = t.substr(std::min(at, t.size()));
  if (zone == "Z") {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int zone_hours = Digits(zone, 1, 2), zone_minutes = Digits(zone, 4, 2);
    if (zone_hours < 0 || zone_hours > 23 || zone_minutes < 0 || zone_minutes > 59) {
      return std::nullopt;
    }
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (zone_hours * 60 + zone_minutes);
  } else {
    return std::nullopt;
  }
  std::optional<int64_t> local = UtcMillis(year, month, day, hour, minute, second);
  if (!local) return std::nullopt;
  return *local + fraction_millis - offset_minutes * 60'000;
}

// RFC 5424 STRUCTURED-DATA as JSON, read from the scanner; a parameter named twice gets an
// array of its values. An error says what is wrong.
std::optional<std::string> ParseStructuredData(Scanner& in, std::string& problem) {
  Json elements = Json::object();
  while (in.Peek() == '[' && !in.AtEnd()) {
    in.Take('[');
    auto name_char = [](char c) { return IsPrintUsAscii(c) && c != '=' && c != ']' && c != '"'; };
    std::string id;
    while (!in.AtEnd() && name_char(in.Peek()) && id.size() < 32) id += in.Next();
    if (id.empty()) {
      problem = "structured data element without an SD-ID";
      return std::nullopt;
    }
    Json& params = elements[id];
    if (!params.is_object()) params = Json::object();
    while (in.Take(' ')) {
      std::string name;
      while (!in.AtEnd() && name_char(in.Peek()) && name.size() < 32) name += in.Next();
      if (name.empty() || !in.Take('=') || !in.Take('"')) {
        problem = "structured data parameter in [" + id + "] is not name=\"value\"";
        return std::nullopt;
      }
      std::string value;
      bool closed = false;
      while (!in.AtEnd()) {
        char c = in.Next();
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && !in.AtEnd() &&
            (in.Peek() == '"' || in.Peek() == '\\' || in.Peek() == ']')) {
          c = in.Next();
        }
        value += c;
      }
      if (!closed) {
        problem = "structured data is cut off inside the value of " + name + " in [" + id + "]";
        return std::nullopt;
      }
      if (!params.contains(name)) {
        params[name] = value;
      } else {
        if (!params[name].is_array()) params[name] = Json::array({params[name]});
        params[name].push_back(value);
      }
    }
    if (!in.Take(']')) {
      problem = "structured data element [" + id + "] is not closed with ']'";
      return std::nullopt;
    }
  }
  return elements.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<std::string> NilOr(std::string_view token) {
  if (token == "-") return std::nullopt;
  return std::string(token);
}

std::string_view WithoutBom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

// After "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG].
SyslogMessage ParseRfc5424(std::string_view line, Scanner& in, SyslogMessage message) {
  auto time = in.Token(64);
  if (!time || !in.Take(' ')) return Malformed(line, "RFC 5424 header ends after VERSION");
  if (*time != "-") {
    message.timestamp_millis = ParseRfc5424Time(*time);
    if (!message.timestamp_millis) {
      return Malformed(line, "RFC 5424 timestamp '" + std::string(*time) +
                                 "' is not a date and time like 2003-10-11T22:14:15.003Z");
    }
  }
  struct Field {
    std::optional<std::string>* out;
    size_t max;
    const char* name;
  };
  const std::array<Field, 4> fields = {
      Field{&message.hostname, 255, "HOSTNAME"}, Field{&message.app, 48, "APP-NAME"},
      Field{&message.procid, 128, "PROCID"}, Field{&message.msgid, 32, "MSGID"}};
  for (const Field& field : fields) {
    auto token = in.Token(field.max);
    if (!token || !in.Take(' ')) {
      return Malformed(line, std::string("RFC 5424 ") + field.name +
                                 " is missing, too long or not printable ASCII");
    }
    *field.out = NilOr(*token);
  }
  if (in.Peek() == '-' && !in.AtEnd()) {
    in.Skip(1);
  } else if (in.Peek() == '[') {
    std::string problem;
    message.structured_data = ParseStructuredData(in, problem);
    if (!message.structured_data) return Malformed(line, problem);
  } else {
    return Malformed(line, "RFC 5424 STRUCTURED-DATA is neither '-' nor '[...]'");
  }
  if (!in.AtEnd() && !in.Take(' ')) {
    return Malformed(line, "RFC 5424 STRUCTURED-DATA is not followed by a space");
  }
  message.message = std::string(WithoutBom(in.Rest()));
  message.format = SyslogFormat::kRfc5424;
  return message;
}

// "Mmm dd hh:mm:ss " (day padded with a space or a zero), or nullopt.
std::optional<int64_t> ParseRfc3164Time(std::string_view text, int64_t received_millis) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (text.size() < 16 || text[3] != ' ' || text[6] != ' ' || text[9] != ':' || text[12] != ':' ||
      text[15] != ' ') {
    return std::nullopt;
  }
  size_t month_at = kMonths.find(text.substr(0, 3));
  if (month_at == std::string_view::npos || month_at % 3 != 0) return std::nullopt;
  int day = text[4] == ' ' ? Digits(text, 5, 1) : Digits(text, 4, 2);
  int hour = Digits(text, 7, 2), minute = Digits(text, 10, 2), second = Digits(text, 13, 2);
  if (day < 1 || hour < 0 || minute < 0 || second < 0) return std::nullopt;
  int month = static_cast<int>(month_at / 3) + 1;
  chrono::year_month_day received{chrono::floor<chrono::days>(
      chrono::sys_time<chrono::milliseconds>(chrono::milliseconds(received_millis)))};
  int year = static_cast<int>(received.year());
  std::optional<int64_t> millis = UtcMillis(year, month, day, hour, minute, second);
  if (!millis || *millis > received_millis + kDayMillis) {
    millis = UtcMillis(year - 1, month, day, hour, minute, second);
  }
  return millis;
}

// After "<PRI>": TIMESTAMP SP [HOSTNAME SP] TAG[PID]: MSG. Senders often leave the hostname
// out; a first word that ends in ':' or holds '[' is read as the tag.
SyslogMessage ParseRfc3164(std::string_view line, Scanner& in, SyslogMessage message,
                           int64_t received_millis) {
  message.timestamp_millis = ParseRfc3164Time(in.Rest(), received_millis);
  if (!message.timestamp_millis) {
    return Malformed(line,
                     "after <PRI> there is neither an RFC 5424 header ('1 ' then a timestamp) "
                     "nor an RFC 3164 timestamp like 'Oct 11 22:14:15'");
  }
  in.Skip(16);
  std::string_view rest = in.Rest();
  size_t space = rest.find(' ');
  std::string_view first = rest.substr(0, space);
  bool first_is_tag = first.ends_with(':') || first.find('[') != std::string_view::npos;
  if (!first_is_tag && space != std::string_view::npos && !first.empty()) {
    message.hostname = std::string(first);
    rest.remove_prefix(space + 1);
  }
  size_t tag_end = 0;
  while (tag_end < rest.size() && tag_end < 48 && IsPrintUsAscii(rest[tag_end]) &&
         rest[tag_end] != '[' && rest[tag_end] != ':') {
    ++tag_end;
  }
  std::string_view after = rest.substr(tag_end);
  std::optional<std::string> procid;
  if (after.starts_with('[')) {
    size_t close = after.find(']');
    if (close != std::string_view::npos && close <= 129) {
      procid = std::string(after.substr(1, close - 1));
      after.remove_prefix(close + 1);
    }
  }
  if (tag_end > 0 && after.starts_with(':')) {
    message.app = std::string(rest.substr(0, tag_end));
    message.procid = std::move(procid);
    after.remove_prefix(1);
    if (after.starts_with(' ')) after.remove_prefix(1);
    rest = after;
  }
  message.message = std::string(rest);
  message.format = SyslogFormat::kRfc3164;
  return message;
}

std::string_view WithoutLineEnd(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == '\0')) {
    line.remove_suffix(1);
  }
  return line;
}

template <typename T>
Json OrNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// NUL bytes as U+FFFD; invalid UTF-8 is replaced when the row is dumped.
std::string WithoutNul(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view SyslogFormatName(SyslogFormat format) {
  switch (format) {
    case SyslogFormat::kRfc5424:
      return "rfc5424";
    case SyslogFormat::kRfc3164:
      return "rfc3164";
    case SyslogFormat::kMalformed:
      return "malformed";
  }
  return "malformed";
}

SyslogMessage ParseSyslog(std::string_view line, int64_t received_millis) {
  line = WithoutLineEnd(line);
  if (line.empty()) return Malformed(line, "empty message");
  Scanner in(line);
  if (!in.Take('<')) return Malformed(line, "no <PRI> at the start (like <34>)");
  int pri = 0;
  size_t digits = 0;
  while (IsDigit(in.Peek()) && !in.AtEnd() && digits < 4) {
    pri = pri * 10 + (in.Peek() - '0');
    in.Skip(1);
    ++digits;
  }
  if (digits == 0 || digits > 3 || !in.Take('>')) {
    return Malformed(line,
                     "no <PRI> at the start (like <34>): '<' must be followed by 1-3 "
                     "digits and '>'");
  }
  if (pri > 191) {
    return Malformed(line, "PRI " + std::to_string(pri) + " is over 191 (facility 23 × 8 + 7)");
  }
  SyslogMessage message;
  message.facility = pri / 8;
  message.severity = pri % 8;
  // RFC 5424: VERSION is a nonzero digit (then at most two more) and a space.
  std::string_view rest = in.Rest();
  if (rest.size() >= 2 && rest[0] >= '1' && rest[0] <= '9') {
    size_t version_end = 1;
    while (version_end < rest.size() && version_end < 3 && IsDigit(rest[version_end])) {
      ++version_end;
    }
    if (version_end < rest.size() && rest[version_end] == ' ') {
      in.Skip(version_end + 1);
      return ParseRfc5424(line, in, std::move(message));
    }
  }
  return ParseRfc3164(line, in, std::move(message), received_millis);
}

std::vector<TypedColumn> SyslogColumns() {
  return {{"received_at", "TIMESTAMP"}, {"facility", "INTEGER"}, {"severity", "INTEGER"},
          {"timestamp", "TIMESTAMP"},   {"hostname", "VARCHAR"}, {"app", "VARCHAR"},
          {"procid", "VARCHAR"},        {"msgid", "VARCHAR"},    {"structured_data", "VARCHAR"},
          {"message", "VARCHAR"},       {"format", "VARCHAR"},   {"sender", "VARCHAR"}};
}

std::string SyslogRowJson(const SyslogMessage& message, int64_t received_millis,
                          std::string_view sender) {
  Json row = Json::object();
  row["received_at"] = IsoTime(received_millis);
  row["facility"] = OrNull(message.facility);
  row["severity"] = OrNull(message.severity);
  row["timestamp"] =
      message.timestamp_millis ? Json(IsoTime(*message.timestamp_millis)) : Json(nullptr);
  row["hostname"] = OrNull(message.hostname);
  row["app"] = OrNull(message.app);
  row["procid"] = OrNull(message.procid);
  row["msgid"] = OrNull(message.msgid);
  row["structured_data"] = OrNull(message.structured_data);
  row["message"] = WithoutNul(message.message);
  row["format"] = SyslogFormatName(message.format);
  row["sender"] = sender;
  return row.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace aimass::data::sources
