// Writing JSON lines fast, without a JSON library's per-value allocations: for the rows of
// the postgres and redis source kinds (a stream batch is 10,000s of records per second).
#pragma once

#include <string>
#include <string_view>

namespace aimass::data::sources {

// Appends `text` as a JSON string literal (quotes included). Control characters are
// escaped; invalid UTF-8 bytes (and NUL) are written as U+FFFD, so the line is valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace aimass::data::sources
