// Plain-text tables and the small number formats the CLI prints.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aimass::cli {

// Columns left-aligned and padded to the widest cell, separated by two spaces, header
// first; a cell that looks like a number is right-aligned. Trailing spaces are trimmed
// and every line ends in '\n'. Width counts UTF-8 code points, so accented names align.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// 123456 -> "120.6 KiB"; below 1 KiB plain bytes: "512 B".
std::string FormatBytes(uint64_t bytes);

// A JSON value as a table cell: strings unquoted, null as "", numbers in shortest
// form (37.1, not 37.100000000000001), arrays and objects compact.
std::string CellText(const nlohmann::json& value);
// The cell text of object[key], or "" when `object` is not an object or has no such key.
std::string FieldText(const nlohmann::json& object, const char* key);

// Makes a cell safe for one line: newlines and tabs become spaces, and text longer
// than `max_width` code points is cut with "…".
std::string OneLine(const std::string& text, size_t max_width = 60);

}  // namespace aimass::cli
