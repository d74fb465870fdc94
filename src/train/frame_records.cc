// FrameFromRecords: prediction input (JSON records or column arrays) read against the
// training schema, leniently where the meaning is clear and with a pointed error otherwise.
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "train/calendar.h"
#include "train/frame.h"

namespace aimass::train {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kMaxQuotedChars = 60;

// The value as an error message shows it: 'abc' for text, the JSON otherwise.
std::string Shown(const nlohmann::json& value) {
  std::string text = value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
  if (text.size() > kMaxQuotedChars) text = text.substr(0, kMaxQuotedChars) + "...";
  return text;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Converts one value for `column`, or says (as the end of a sentence) why it does not fit.
class CellReader {
 public:
  explicit CellReader(FrameColumn& column) : column_(column) {}

  // Appends the value (null: missing); the error text lacks the record/column prefix.
  std::optional<std::string> Append(const nlohmann::json& value) {
    if (value.is_null()) return AppendMissing();
    switch (column_.kind) {
      case ColumnKind::kNumber:
        return AppendNumber(value);
      case ColumnKind::kBoolean:
        return AppendBoolean(value);
      case ColumnKind::kText:
        return AppendText(value);
      case ColumnKind::kDatetime:
        return AppendDatetime(value);
    }
    return std::nullopt;
  }

  std::optional<std::string> AppendMissing() {
    if (column_.kind == ColumnKind::kText) {
      column_.texts.emplace_back();
      column_.present.push_back(0);
    } else {
      column_.numbers.push_back(kMissing);
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> AppendNumber(const nlohmann::json& value) {
    if (value.is_number()) return Push(value.get<double>());
    if (value.is_string()) {
      std::string_view text = Trim(value.get_ref<const std::string&>());
      if (text.empty()) return AppendMissing();
      if (text.front() == '+') text.remove_prefix(1);
      double number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error == std::errc() && end == text.data() + text.size()) {
        return Push(std::isfinite(number) ? number : kMissing);
      }
    }
    return Shown(value) + " is not a number";
  }

  std::optional<std::string> AppendBoolean(const nlohmann::json& value) {
    if (value.is_boolean()) return Push(value.get<bool>() ? 1 : 0);
    if (value.is_number() && (value.get<double>() == 0 || value.get<double>() == 1)) {
      return Push(value.get<double>());
    }
    if (value.is_string()) {
      const std::string_view text = Trim(value.get_ref<const std::string&>());
      if (text.empty()) return AppendMissing();
      // The words DuckDB reads as booleans (its CSV sniffer makes a yes/no column BOOLEAN,
      // so a model trained on one is sent "yes" and "no").
      for (const char* word : {"true", "t", "yes", "y", "1"}) {
        if (EqualsIgnoringCase(text, word)) return Push(1);
      }
      for (const char* word : {"false", "f", "no", "n", "0"}) {
        if (EqualsIgnoringCase(text, word)) return Push(0);
      }
    }
    return Shown(value) + " is not a boolean (use true/false, yes/no or 1/0)";
  }

  std::optional<std::string> AppendText(const nlohmann::json& value) {
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number_unsigned()) {
      text = std::to_string(value.get<uint64_t>());
    } else if (value.is_number_integer()) {
      text = std::to_string(value.get<int64_t>());
    } else if (value.is_number()) {
      text = CanonicalNumber(value.get<double>());
    } else if (value.is_boolean()) {
      text = value.get<bool>() ? "true" : "false";  // as DuckDB casts a BOOLEAN to VARCHAR
    } else {
      return Shown(value) + " is not text";
    }
    column_.texts.push_back(std::move(text));
    column_.present.push_back(1);
    return std::nullopt;
  }

  std::optional<std::string> AppendDatetime(const nlohmann::json& value) {
    if (value.is_number()) return Push(value.get<double>());  // epoch seconds
    if (value.is_string()) {
      const std::string_view text = Trim(value.get_ref<const std::string&>());
      if (text.empty()) return AppendMissing();
      if (auto seconds = ParseIsoDatetime(text)) return Push(*seconds);
    }
    return Shown(value) +
           " is not a date or time (use ISO 8601, e.g. 2024-03-01 or 2024-03-01T12:30:00Z)";
  }

  std::optional<std::string> Push(double number) {
    column_.numbers.push_back(number);
    return std::nullopt;
  }

  FrameColumn& column_;
};

Frame EmptyFrame(const FrameSchema& schema) {
  Frame frame;
  for (const auto& column : schema.columns) {
    frame.columns.push_back({column.name, column.type, column.kind, {}, {}, {}});
  }
  return frame;
}

Error CellError(int64_t record, const std::string& column, const std::string& why) {
  return Error{ErrorCode::kInvalidArgument,
               "record " + std::to_string(record) + ", column '" + column + "': " + why};
}

Result<Frame> FromRecordArray(const nlohmann::json& records, const FrameSchema& schema) {
  Frame frame = EmptyFrame(schema);
  for (auto& column : frame.columns) {
    if (column.kind == ColumnKind::kText) {
      column.texts.reserve(records.size());
      column.present.reserve(records.size());
    } else {
      column.numbers.reserve(records.size());
    }
  }
  std::vector<CellReader> readers(frame.columns.begin(), frame.columns.end());
  for (size_t r = 0; r < records.size(); ++r) {
    const auto& record = records[r];
    if (!record.is_object()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "record " + std::to_string(r) + " is " + Shown(record) +
                      ", not an object; send records like {\"age\": 31, \"city\": \"paris\"}");
    }
    for (size_t c = 0; c < frame.columns.size(); ++c) {
      const auto it = record.find(frame.columns[c].name);
      const auto problem = it == record.end() ? readers[c].AppendMissing() : readers[c].Append(*it);
      if (problem) return Fail(CellError(static_cast<int64_t>(r), frame.columns[c].name, *problem));
    }
  }
  frame.rows = static_cast<int64_t>(records.size());
  return frame;
}

Result<Frame> FromColumnArrays(const nlohmann::json& object, const FrameSchema& schema) {
  Frame frame = EmptyFrame(schema);
  // The record count comes from the first schema column given (any array if none is).
  const std::string* counted_by = nullptr;
  size_t rows = 0;
  for (const auto& column : frame.columns) {
    const auto it = object.find(column.name);
    if (it == object.end() || it->is_null()) continue;
    if (!it->is_array()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "column '" + column.name + "' is " + Shown(*it) +
                      ", not an array; in the columnar form every column is an array of values "
                      "(or send an array of records)");
    }
    if (counted_by == nullptr) {
      counted_by = &column.name;
      rows = it->size();
    } else if (it->size() != rows) {
      return Fail(ErrorCode::kInvalidArgument,
                  "column '" + column.name + "' has " + std::to_string(it->size()) +
                      " values but column '" + *counted_by + "' has " + std::to_string(rows) +
                      "; every column needs one value per record");
    }
  }
  if (counted_by == nullptr) {
    for (const auto& [key, value] : object.items()) {
      if (value.is_array()) {
        rows = value.size();
        break;
      }
    }
  }
  for (auto& column : frame.columns) {
    CellReader reader(column);
    const auto it = object.find(column.name);
    const bool given = it != object.end() && it->is_array();
    for (size_t r = 0; r < rows; ++r) {
      const auto problem = given ? reader.Append((*it)[r]) : reader.AppendMissing();
      if (problem) return Fail(CellError(static_cast<int64_t>(r), column.name, *problem));
    }
  }
  frame.rows = static_cast<int64_t>(rows);
  return frame;
}

}  // namespace

Result<Frame> FrameFromRecords(const nlohmann::json& records, const FrameSchema& schema) {
  if (records.is_array()) return FromRecordArray(records, schema);
  if (records.is_object()) return FromColumnArrays(records, schema);
  return Fail(ErrorCode::kInvalidArgument,
              "prediction input is " + Shown(records) +
                  "; send an array of records ([{\"age\": 31}, ...]) or an object of column "
                  "arrays ({\"age\": [31, 40]})");
}

}  // namespace aimass::train
