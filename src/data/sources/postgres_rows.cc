#include "data/sources/postgres_rows.h"

#include "data/sources/json_text.h"

namespace aimass::data::sources {
namespace {

// PostgreSQL's built-in type OIDs (catalog/pg_type.dat), stable across versions.
struct KnownType {
  unsigned oid;
  const char* name;
  const char* duckdb;  // the type its column is read as
};
constexpr KnownType kTypes[] = {
    {16, "bool", "BOOLEAN"},
    {20, "int8", "BIGINT"},
    {21, "int2", "INTEGER"},
    {23, "int4", "INTEGER"},
    {26, "oid", "BIGINT"},
    {700, "float4", "DOUBLE"},
    {701, "float8", "DOUBLE"},
    {1700, "numeric", "DOUBLE"},
    {1082, "date", "DATE"},
    {1114, "timestamp", "TIMESTAMP"},
    {1184, "timestamptz", "TIMESTAMP"},
    {25, "text", "VARCHAR"},
    {1043, "varchar", "VARCHAR"},
    {1042, "bpchar", "VARCHAR"},
    {114, "json", "VARCHAR"},
    {3802, "jsonb", "VARCHAR"},
    {2950, "uuid", "VARCHAR"},
    {1083, "time", "VARCHAR"},
    {17, "bytea", "VARCHAR"},
};

const KnownType* Known(unsigned oid) {
  for (const KnownType& known : kTypes) {
    if (known.oid == oid) return &known;
  }
  return nullptr;
}

bool IsFiniteNumberText(std::string_view text) {
  return !text.empty() && text != "NaN" && text.find("Infinity") == std::string_view::npos;
}

}  // namespace

Result<PostgresRowWriter> PostgresRowWriter::For(const PGresult* result) {
  PostgresRowWriter writer;
  for (int i = 0; i < PQnfields(result); ++i) {
    Column column;
    column.name = PQfname(result, i);
    if (writer.Find(column.name) >= 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the query's result has two columns named '" + column.name +
                      "'; give them different names with AS in settings.query");
    }
    AppendJsonString(column.key, column.name);
    column.key += ':';
    column.type = PQftype(result, i);
    switch (column.type) {
      case 20:
      case 21:
      case 23:
      case 26:
        column.kind = Kind::kInteger;
        break;
      case 700:
      case 701:
      case 1700:
        column.kind = Kind::kFloat;
        break;
      case 16:
        column.kind = Kind::kBool;
        break;
      case 1114:
        column.kind = Kind::kTimestamp;
        break;
      case 1184:
        column.kind = Kind::kTimestampTz;
        break;
      default:
        column.kind = Kind::kText;
    }
    writer.columns_.push_back(std::move(column));
  }
  return writer;
}

int PostgresRowWriter::Find(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string PostgresRowWriter::TypeName(int column) const {
  unsigned oid = columns_.at(static_cast<size_t>(column)).type;
  const KnownType* known = Known(oid);
  return known ? known->name : "oid " + std::to_string(oid);
}

std::vector<TypedColumn> PostgresRowWriter::Columns() const {
  std::vector<TypedColumn> typed;
  for (const Column& column : columns_) {
    const KnownType* known = Known(column.type);
    typed.push_back({column.name, known ? known->duckdb : "VARCHAR"});
  }
  return typed;
}

std::string PostgresRowWriter::ColumnList() const {
  std::string list;
  for (const Column& column : columns_) list += (list.empty() ? "" : ", ") + column.name;
  return list;
}

void PostgresRowWriter::Append(const PGresult* result, int row, std::string& out) const {
  out += '{';
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& column = columns_[i];
    const int field = static_cast<int>(i);
    if (i > 0) out += ',';
    out += column.key;
    if (PQgetisnull(result, row, field)) {
      out += "null";
      continue;
    }
    std::string_view value(PQgetvalue(result, row, field),
                           static_cast<size_t>(PQgetlength(result, row, field)));
    switch (column.kind) {
      case Kind::kInteger:
        out += value;
        break;
      case Kind::kFloat:
        out += IsFiniteNumberText(value) ? value : std::string_view("null");
        break;
      case Kind::kBool:
        out += value == "t" ? "true" : "false";
        break;
      case Kind::kTimestamp:
      case Kind::kTimestampTz: {
        // "2024-01-02 03:04:05.123" (+00 when with a time zone, read in UTC).
        if (value.size() < 19 || value[10] != ' ') {
          out += "null";  // infinity, -infinity, or a BC date
          break;
        }
        std::string iso(value);
        iso[10] = 'T';
        if (column.kind == Kind::kTimestampTz) {
          if (iso.ends_with("+00")) iso.resize(iso.size() - 3);
          iso += 'Z';
        }
        out += '"';
        out += iso;
        out += '"';
        break;
      }
      case Kind::kText:
        AppendJsonString(out, value);
        break;
    }
  }
  out += "}\n";
}

}  // namespace aimass::data::sources
