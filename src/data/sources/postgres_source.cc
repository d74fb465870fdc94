#include "data/sources/postgres_source.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <utility>

#include "common/hash.h"
#include "data/sources/kind_settings.h"
#include "data/sources/postgres_connection.h"
#include "data/sources/postgres_rows.h"
#include "data/sources/source_settings.h"

namespace aimass::data::sources {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWriteBytes = 1 << 20;
constexpr int64_t kStopCheckRows = 10'000;

std::string QuoteIdentifier(PGconn* connection, const std::string& name) {
  char* quoted = PQescapeIdentifier(connection, name.c_str(), name.size());
  std::string text = quoted ? quoted : "";
  PQfreemem(quoted);
  return text;
}

// The query without trailing blanks and ';', so that it can be wrapped as a subquery.
std::string WithoutTrailingSemicolons(std::string query) {
  while (!query.empty() &&
         (query.back() == ';' || std::isspace(static_cast<unsigned char>(query.back())))) {
    query.pop_back();
  }
  return query;
}

// Where the rows of one Take go: JSON lines written in large pieces; remembers where the
// run of rows sharing the last cursor value began, so a batch cut at batch_rows can leave
// them for the next run.
class BatchFile {
 public:
  explicit BatchFile(fs::path path) : path_(std::move(path)), out_(path_, std::ios::binary) {}

  bool ok() const { return static_cast<bool>(out_); }
  void Add(const PostgresRowWriter& writer, const PGresult* row,
           const std::optional<std::string>& cursor_value) {
    if (cursor_value && cursor_value != last_value_) {
      value_before_tail_ = std::move(last_value_);
      last_value_ = *cursor_value;
      tail_offset_ = Offset();
      tail_rows_ = 0;
    }
    writer.Append(row, 0, buffer_);
    ++rows_;
    ++tail_rows_;
    if (buffer_.size() >= kWriteBytes) Write();
  }
  Status Close() {
    if (!out_.is_open()) return Ok();
    Write();
    out_.close();
    if (!out_) return Fail(ErrorCode::kInternal, "cannot write " + path_.string());
    return Ok();
  }
  // Closes the file without the rows sharing the last cursor value.
  Status CloseWithoutTail() {
    AIMASS_RETURN_IF_ERROR(Close());
    std::error_code error;
    fs::resize_file(path_, static_cast<uintmax_t>(tail_offset_), error);
    if (error) return Fail(ErrorCode::kInternal, "cannot cut " + path_.string());
    rows_ -= tail_rows_;
    last_value_ = value_before_tail_;
    return Ok();
  }
  int64_t rows() const { return rows_; }
  int64_t tail_offset() const { return tail_offset_; }
  const std::optional<std::string>& last_value() const { return last_value_; }

 private:
  int64_t Offset() const { return written_ + static_cast<int64_t>(buffer_.size()); }
  void Write() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    written_ += static_cast<int64_t>(buffer_.size());
    buffer_.clear();
  }

  fs::path path_;
  std::ofstream out_;
  std::string buffer_;
  int64_t written_ = 0;
  int64_t rows_ = 0;
  std::optional<std::string> last_value_;
  std::optional<std::string> value_before_tail_;
  int64_t tail_offset_ = 0;
  int64_t tail_rows_ = 0;
};

}  // namespace

Result<PostgresSourceOptions> ParsePostgresSettings(const nlohmann::json& settings) {
  AIMASS_RETURN_IF_ERROR(
      RefuseUnknownKeys(settings, "postgres",
                        {"dsn", "password_env", "query", "cursor_column", "batch_rows",
                         "statement_timeout", "connect_timeout_seconds"}));
  PostgresSourceOptions options;
  AIMASS_ASSIGN_OR_RETURN(options.dsn, StringSetting(settings, "dsn", "", true));
  AIMASS_ASSIGN_OR_RETURN(options.password_env, StringSetting(settings, "password_env"));
  AIMASS_ASSIGN_OR_RETURN(std::string query, StringSetting(settings, "query", "", true));
  options.query = WithoutTrailingSemicolons(std::move(query));
  if (options.query.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "settings.query must be a SELECT, like \"SELECT * FROM orders\"");
  }
  AIMASS_ASSIGN_OR_RETURN(options.cursor_column, StringSetting(settings, "cursor_column"));
  AIMASS_ASSIGN_OR_RETURN(options.batch_rows,
                          IntSetting(settings, "batch_rows", 1'000'000, 1, 100'000'000));
  AIMASS_ASSIGN_OR_RETURN(options.connect_timeout_seconds,
                          IntSetting(settings, "connect_timeout_seconds", 10, 1, 3600));
  if (settings.contains("statement_timeout")) {
    AIMASS_ASSIGN_OR_RETURN(options.statement_timeout_ms,
                            ParseDuration(settings["statement_timeout"], "statement_timeout"));
  }
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.dsn.c_str(), &error);
  if (parsed == nullptr) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Fail(ErrorCode::kInvalidArgument,
                "settings.dsn is not a libpq connection string (" + why +
                    "); write it like \"host=db.example.com port=5432 dbname=shop user=reader\"");
  }
  bool has_password = false;
  for (PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    has_password =
        has_password || (std::string_view(option->keyword) == "password" && option->val != nullptr);
  }
  PQconninfoFree(parsed);
  if (has_password) {
    return Fail(ErrorCode::kInvalidArgument,
                "settings.dsn must not hold the password (the config is shown to users): put "
                "it in an environment variable of the server and name that in "
                "settings.password_env");
  }
  return options;
}

Status RegisterPostgresSource(SourceKinds& kinds) {
  return AddKind(
      kinds, "postgres", ParsePostgresSettings,
      [](const SourceConfig& config,
         PostgresSourceOptions options) -> Result<std::unique_ptr<Source>> {
        return std::make_unique<PostgresSource>(config.name, std::move(options));
      },
      SourceAccess::kAdminsOnly);
}

Result<std::optional<SourceBatch>> PostgresSource::Take(const SourceContext& context) {
  auto for_source = [this](Error error) {
    error.message = "postgres source '" + name_ + "': " + error.message;
    return Fail(std::move(error));
  };
  AIMASS_ASSIGN_OR_RETURN(std::optional<std::string> password,
                          SecretFromEnv(options_.password_env, "password_env"));
  auto connected =
      PostgresConnection::Open(options_.dsn, password, options_.connect_timeout_seconds);
  if (!connected) return for_source(std::move(connected).error());
  PostgresConnection& db = *connected;
  AIMASS_RETURN_IF_ERROR(db.Run("BEGIN TRANSACTION READ ONLY"));
  AIMASS_RETURN_IF_ERROR(
      db.Run("SET LOCAL statement_timeout = " + std::to_string(options_.statement_timeout_ms)));
  const std::string inner = "SELECT * FROM (" + options_.query + ") AS aimass_q";
  auto described = db.Describe(inner);
  if (!described) return for_source(std::move(described).error());
  AIMASS_ASSIGN_OR_RETURN(PostgresRowWriter writer, PostgresRowWriter::For(described->get()));

  const bool incremental = !options_.cursor_column.empty();
  int cursor_index = -1;
  std::string sql = inner;
  std::vector<std::string> params;
  if (incremental) {
    cursor_index = writer.Find(options_.cursor_column);
    if (cursor_index < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "postgres source '" + name_ + "': settings.cursor_column '" +
                      options_.cursor_column + "' is not a column of the query's result (" +
                      writer.ColumnList() + "); name one of them, or select it in the query");
    }
    std::string column = "aimass_q." + QuoteIdentifier(db.get(), options_.cursor_column);
    if (context.cursor.is_object() && context.cursor.contains("value") &&
        context.cursor["value"].is_string()) {
      sql += " WHERE " + column + " > $1";
      params.push_back(context.cursor["value"].get<std::string>());
    } else {
      sql += " WHERE " + column + " IS NOT NULL";
    }
    sql += " ORDER BY " + column;
  }
  // One row more than a whole-result batch may hold tells that the result is too big.
  sql += " LIMIT " + std::to_string(options_.batch_rows + (incremental ? 0 : 1));
  auto started = db.StartRows(sql, params);
  if (!started) return for_source(std::move(started).error());

  const fs::path rows_file = context.scratch_dir / "postgres.jsonl";
  BatchFile file(rows_file);
  if (!file.ok())
    return Fail(ErrorCode::kInternal, "cannot write in " + context.scratch_dir.string());
  while (true) {
    auto row = db.NextRow();
    if (!row) return for_source(std::move(row).error());
    if (!*row) break;
    std::optional<std::string> cursor_value;
    if (incremental) cursor_value = PQgetvalue(row->get(), 0, cursor_index);
    file.Add(writer, row->get(), cursor_value);
    if (file.rows() % kStopCheckRows == 0 && context.stopping && context.stopping()) {
      return Fail(ErrorCode::kCancelled, "postgres source '" + name_ + "': stopped");
    }
  }
  if (file.rows() == 0) return std::nullopt;

  SourceBatch batch;
  batch.file = context.scratch_dir / "postgres.parquet";
  batch.format = FileFormat::kParquet;
  if (incremental) {
    if (file.rows() == options_.batch_rows) {
      if (file.tail_offset() == 0) {
        return Fail(ErrorCode::kInvalidArgument,
                    "postgres source '" + name_ + "': more than settings.batch_rows (" +
                        std::to_string(options_.batch_rows) + ") rows share the " +
                        options_.cursor_column + " value '" + *file.last_value() +
                        "'; raise batch_rows or choose a cursor_column with fewer repeats");
      }
      // Those rows come whole in the next batch.
      AIMASS_RETURN_IF_ERROR(file.CloseWithoutTail());
    }
    AIMASS_RETURN_IF_ERROR(file.Close());
    batch.cursor = {{"value", *file.last_value()}, {"type", writer.TypeName(cursor_index)}};
    batch.description = std::to_string(file.rows()) + " rows from PostgreSQL at " + db.Where() +
                        " up to " + options_.cursor_column + " = " + *file.last_value();
  } else {
    AIMASS_RETURN_IF_ERROR(file.Close());
    if (file.rows() > options_.batch_rows) {
      return Fail(ErrorCode::kInvalidArgument,
                  "postgres source '" + name_ +
                      "': the query returned more than "
                      "settings.batch_rows (" +
                      std::to_string(options_.batch_rows) +
                      ") rows; raise batch_rows, or set cursor_column to take them in batches");
    }
    AIMASS_ASSIGN_OR_RETURN(std::string hash, Sha256File(rows_file));
    if (context.cursor.is_object() && context.cursor.value("sha256", "") == hash) {
      return std::nullopt;  // the same rows as the version already stored
    }
    batch.cursor = {{"sha256", hash}};
    batch.description =
        std::to_string(file.rows()) + " rows (the whole result) from PostgreSQL at " + db.Where();
  }
  batch.rows = file.rows();
  AIMASS_RETURN_IF_ERROR(JsonLinesToParquet(rows_file, writer.Columns(), batch.file));
  return batch;
}

}  // namespace aimass::data::sources
