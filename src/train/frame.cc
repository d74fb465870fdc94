#include "train/frame.h"

#include <charconv>
#include <cmath>

namespace aimass::train {

std::string_view ColumnKindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kNumber:
      return "number";
    case ColumnKind::kBoolean:
      return "boolean";
    case ColumnKind::kText:
      return "text";
    case ColumnKind::kDatetime:
      return "datetime";
  }
  return "number";
}

Result<ColumnKind> ParseColumnKind(std::string_view name) {
  for (ColumnKind kind :
       {ColumnKind::kNumber, ColumnKind::kBoolean, ColumnKind::kText, ColumnKind::kDatetime}) {
    if (ColumnKindName(kind) == name) return kind;
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown column kind '" + std::string(name) +
                                               "'; use number, boolean, text or datetime");
}

ColumnKind KindOfDuckDbType(std::string_view type) {
  static constexpr std::string_view kNumbers[] = {
      "TINYINT",  "SMALLINT", "INTEGER",  "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
      "UINTEGER", "UBIGINT",  "UHUGEINT", "FLOAT",  "DOUBLE",  "TIME",     "INTERVAL"};
  for (std::string_view number : kNumbers) {
    if (type == number) return ColumnKind::kNumber;
  }
  if (type.starts_with("DECIMAL")) return ColumnKind::kNumber;
  if (type == "BOOLEAN") return ColumnKind::kBoolean;
  if (type == "DATE" || type.starts_with("TIMESTAMP")) return ColumnKind::kDatetime;
  return ColumnKind::kText;
}

int64_t FrameColumn::size() const {
  return static_cast<int64_t>(kind == ColumnKind::kText ? texts.size() : numbers.size());
}

bool FrameColumn::IsMissing(int64_t row) const {
  return kind == ColumnKind::kText ? present[row] == 0 : std::isnan(numbers[row]);
}

nlohmann::json FrameSchema::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& column : columns) {
    out.push_back(
        {{"name", column.name}, {"type", column.type}, {"kind", ColumnKindName(column.kind)}});
  }
  return out;
}

Result<FrameSchema> FrameSchema::FromJson(const nlohmann::json& json) {
  if (!json.is_array()) {
    return Fail(ErrorCode::kInvalidArgument, "a frame schema must be a JSON array of columns");
  }
  FrameSchema schema;
  for (const auto& each : json) {
    if (!each.is_object() || !each.contains("name") || !each["name"].is_string() ||
        !each.contains("kind") || !each["kind"].is_string()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a frame schema column needs a string 'name' and 'kind': " + each.dump());
    }
    AIMASS_ASSIGN_OR_RETURN(ColumnKind kind, ParseColumnKind(each["kind"].get<std::string>()));
    std::string type = each.contains("type") && each["type"].is_string()
                           ? each["type"].get<std::string>()
                           : std::string();
    schema.columns.push_back({each["name"].get<std::string>(), std::move(type), kind});
  }
  return schema;
}

const FrameColumn* Frame::Find(std::string_view name) const {
  for (const auto& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

FrameSchema Frame::Schema() const {
  FrameSchema schema;
  for (const auto& column : columns)
    schema.columns.push_back({column.name, column.type, column.kind});
  return schema;
}

std::string Frame::ColumnList() const {
  std::string list;
  for (const auto& column : columns) list += (list.empty() ? "" : ", ") + column.name;
  return list.empty() ? "(none)" : list;
}

Frame TakeRows(const Frame& frame, std::span<const int64_t> indexes) {
  Frame out;
  out.rows = static_cast<int64_t>(indexes.size());
  for (const auto& column : frame.columns) {
    FrameColumn taken{column.name, column.type, column.kind, {}, {}, {}};
    if (column.kind == ColumnKind::kText) {
      taken.texts.reserve(indexes.size());
      taken.present.reserve(indexes.size());
      for (int64_t row : indexes) {
        taken.texts.push_back(column.texts[row]);
        taken.present.push_back(column.present[row]);
      }
    } else {
      taken.numbers.reserve(indexes.size());
      for (int64_t row : indexes) taken.numbers.push_back(column.numbers[row]);
    }
    out.columns.push_back(std::move(taken));
  }
  return out;
}

std::string CanonicalNumber(double value) {
  if (std::isnan(value)) return "nan";
  // Whole numbers below 2^53 print as integers; everything else as the shortest text that
  // reads back as the same double.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace aimass::train
