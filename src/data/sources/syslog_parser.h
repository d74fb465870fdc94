// Syslog messages (RFC 5424 and RFC 3164, the BSD format) parsed into the rows of a syslog
// source. A line that is neither is not an error: it becomes a row with format "malformed"
// holding the raw text (cut to kMaxMalformedBytes), so that a bad sender is visible in the
// data without stopping the receiver.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/sources/typed_batch.h"

namespace aimass::data::sources {

enum class SyslogFormat { kRfc5424, kRfc3164, kMalformed };

// "rfc5424", "rfc3164" or "malformed": the row's `format` column.
std::string_view SyslogFormatName(SyslogFormat format);

// The raw text a malformed row keeps.
inline constexpr size_t kMaxMalformedBytes = 1024;

// One message. Absent parts (RFC 5424's NILVALUE "-", or what RFC 3164 lacks) are nullopt.
struct SyslogMessage {
  SyslogFormat format = SyslogFormat::kMalformed;
  std::optional<int> facility;
  std::optional<int> severity;
  std::optional<int64_t> timestamp_millis;  // UTC; RFC 3164 times are read as UTC
  std::optional<std::string> hostname;
  std::optional<std::string> app;
  std::optional<std::string> procid;
  std::optional<std::string> msgid;
  std::optional<std::string> structured_data;  // JSON: {"id@1":{"name":"value"}}
  std::string message;                         // without a leading BOM; for kMalformed the raw line
  std::string problem;  // for kMalformed: what is wrong, e.g. "PRI 192 is over 191"
};

// Parses one message (without its framing: no trailing LF, no octet count). RFC 3164
// carries no year: the year of `received_millis` is used, or the year before when that
// would put the message more than a day in the future. Thread-safe (pure).
SyslogMessage ParseSyslog(std::string_view line, int64_t received_millis);

// The columns of SyslogRowJson's rows with their DuckDB types, in order.
std::vector<TypedColumn> SyslogColumns();

// The message as one JSON object (no newline), the row of a syslog source: received_at,
// facility, severity, timestamp, hostname, app, procid, msgid, structured_data (JSON text),
// message, format, sender. Invalid UTF-8 and NUL bytes are written as U+FFFD.
std::string SyslogRowJson(const SyslogMessage& message, int64_t received_millis,
                          std::string_view sender);

}  // namespace aimass::data::sources
