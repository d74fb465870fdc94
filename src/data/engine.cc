#include "data/engine.h"

#include <condition_variable>
#include <cstring>
#include <limits>
#include <stop_token>
#include <thread>

namespace aimass::data {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view TypeName(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    default:
      return "OTHER";
  }
}

nlohmann::json Number(double value) {
  if (value != value || value == std::numeric_limits<double>::infinity() ||
      value == -std::numeric_limits<double>::infinity()) {
    return nullptr;  // JSON has no NaN or infinity
  }
  return value;
}

nlohmann::json ReadValue(duckdb_type type, void* data, idx_t row) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return static_cast<bool*>(data)[row];
    case DUCKDB_TYPE_TINYINT:
      return static_cast<int8_t*>(data)[row];
    case DUCKDB_TYPE_SMALLINT:
      return static_cast<int16_t*>(data)[row];
    case DUCKDB_TYPE_INTEGER:
      return static_cast<int32_t*>(data)[row];
    case DUCKDB_TYPE_BIGINT:
      return static_cast<int64_t*>(data)[row];
    case DUCKDB_TYPE_UTINYINT:
      return static_cast<uint8_t*>(data)[row];
    case DUCKDB_TYPE_USMALLINT:
      return static_cast<uint16_t*>(data)[row];
    case DUCKDB_TYPE_UINTEGER:
      return static_cast<uint32_t*>(data)[row];
    case DUCKDB_TYPE_UBIGINT:
      return static_cast<uint64_t*>(data)[row];
    case DUCKDB_TYPE_FLOAT:
      return Number(static_cast<float*>(data)[row]);
    case DUCKDB_TYPE_DOUBLE:
      return Number(static_cast<double*>(data)[row]);
    case DUCKDB_TYPE_VARCHAR: {
      duckdb_string_t* text = &static_cast<duckdb_string_t*>(data)[row];
      return std::string(duckdb_string_t_data(text), duckdb_string_t_length(*text));
    }
    default:
      return nullptr;
  }
}

Result<Rows> ReadRows(duckdb_result* result) {
  Rows out;
  const idx_t column_count = duckdb_column_count(result);
  std::vector<duckdb_type> types;
  for (idx_t c = 0; c < column_count; ++c) {
    types.push_back(duckdb_column_type(result, c));
    out.columns.push_back({duckdb_column_name(result, c), std::string(TypeName(types.back()))});
    if (out.columns.back().type == "OTHER") {
      return Fail(ErrorCode::kInternal, "result column '" + out.columns.back().name +
                                            "' has a type the engine cannot read; cast it in SQL");
    }
  }
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(*result)) {
    const idx_t size = duckdb_data_chunk_get_size(chunk);
    std::vector<void*> data(column_count);
    std::vector<uint64_t*> validity(column_count);
    for (idx_t c = 0; c < column_count; ++c) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
      data[c] = duckdb_vector_get_data(vector);
      validity[c] = duckdb_vector_get_validity(vector);
    }
    for (idx_t row = 0; row < size; ++row) {
      nlohmann::json values = nlohmann::json::array();
      for (idx_t c = 0; c < column_count; ++c) {
        if (validity[c] != nullptr && !duckdb_validity_row_is_valid(validity[c], row)) {
          values.push_back(nullptr);
        } else {
          values.push_back(ReadValue(types[c], data[c], row));
        }
      }
      out.rows.push_back(std::move(values));
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  return out;
}

// The pending API reports errors as text only; recover the type from DuckDB's prefix.
duckdb_error_type TypeFromMessage(std::string_view message) {
  if (message.starts_with("INTERRUPT") || message.starts_with("Interrupt")) {
    return DUCKDB_ERROR_INTERRUPT;
  }
  if (message.starts_with("Out of Memory")) return DUCKDB_ERROR_OUT_OF_MEMORY;
  if (message.starts_with("Permission")) return DUCKDB_ERROR_PERMISSION;
  if (message.starts_with("IO Error")) return DUCKDB_ERROR_IO;
  if (message.starts_with("INTERNAL") || message.starts_with("FATAL")) {
    return DUCKDB_ERROR_INTERNAL;
  }
  return DUCKDB_ERROR_INVALID_INPUT;
}

// Interrupts the engine when the deadline passes, unless stopped first.
class Watchdog {
 public:
  Watchdog(std::chrono::milliseconds timeout, std::function<void()> on_timeout) {
    if (timeout.count() <= 0) return;
    thread_ =
        std::jthread([timeout, on_timeout = std::move(on_timeout), this](std::stop_token stop) {
          std::unique_lock lock(mutex_);
          if (!wake_.wait_for(lock, stop, timeout, [] { return false; })) {
            if (!stop.stop_requested()) on_timeout();
          }
        });
  }

 private:
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: joined before the mutex goes away
};

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  std::unique_ptr<Engine> engine(new Engine());
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Fail(ErrorCode::kInternal, "cannot create a DuckDB configuration");
  }
  const std::string threads = std::to_string(options.threads < 1 ? 1 : options.threads);
  const std::string temp = options.temp_directory.string();
  bool ok =
      duckdb_set_config(config, "threads", threads.c_str()) == DuckDBSuccess &&
      duckdb_set_config(config, "memory_limit", options.memory_limit.c_str()) == DuckDBSuccess &&
      duckdb_set_config(config, "temp_directory", temp.c_str()) == DuckDBSuccess &&
      duckdb_set_config(config, "autoinstall_known_extensions", "false") == DuckDBSuccess &&
      duckdb_set_config(config, "autoload_known_extensions", "false") == DuckDBSuccess &&
      // Files are read once or twice and the OS caches them already; DuckDB's own copy
      // of a freshly written Parquet file doubled the import's peak memory.
      duckdb_set_config(config, "enable_external_file_cache", "false") == DuckDBSuccess;
  char* error = nullptr;
  if (ok && duckdb_open_ext(nullptr, &engine->database_, config, &error) == DuckDBError) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    duckdb_destroy_config(&config);
    return Fail(ErrorCode::kInvalidArgument, "cannot open DuckDB: " + message);
  }
  duckdb_destroy_config(&config);
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument, "invalid engine options (threads " + threads +
                                                 ", memory limit '" + options.memory_limit + "')");
  }
  if (duckdb_connect(engine->database_, &engine->connection_) == DuckDBError) {
    return Fail(ErrorCode::kInternal, "cannot connect to DuckDB");
  }
  // Statistics run many queries over one file; parse its footer once. (A Parquet setting,
  // so it exists only once the database is open.)
  AIMASS_RETURN_IF_ERROR(engine->Execute("SET parquet_metadata_cache = true"));
  return engine;
}

Engine::~Engine() {
  if (connection_ != nullptr) duckdb_disconnect(&connection_);
  if (database_ != nullptr) duckdb_close(&database_);
}

Error Engine::ToError(std::string_view message, duckdb_error_type type) const {
  const StopReason reason = stop_reason_.load();
  if (type == DUCKDB_ERROR_INTERRUPT || reason != StopReason::kNone) {
    if (reason == StopReason::kDeadline) {
      return {ErrorCode::kDeadlineExceeded, "the query ran past its time limit"};
    }
    return {ErrorCode::kCancelled, "the query was cancelled"};
  }
  switch (type) {
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL:
      return {ErrorCode::kInternal, std::string(message)};
    default:  // parser, binder, conversion, invalid input, out of memory, permission, ...
      return {ErrorCode::kInvalidArgument, std::string(message)};
  }
}

Status Engine::Execute(std::string_view sql) {
  stop_reason_ = StopReason::kNone;
  duckdb_result result;
  const std::string text(sql);
  if (duckdb_query(connection_, text.c_str(), &result) == DuckDBError) {
    Error error = ToError(duckdb_result_error(&result), duckdb_result_error_type(&result));
    duckdb_destroy_result(&result);
    return Fail(std::move(error));
  }
  duckdb_destroy_result(&result);
  return Ok();
}

Result<Rows> Engine::Query(std::string_view sql) { return Run(sql, RunOptions{}); }

Result<duckdb_pending_result> Engine::Start(std::string_view sql, bool streaming) {
  const std::string text(sql);
  duckdb_prepared_statement statement = nullptr;
  if (duckdb_prepare(connection_, text.c_str(), &statement) == DuckDBError) {
    const char* message = duckdb_prepare_error(statement);
    std::string copy = message ? message : "cannot prepare the query";
    duckdb_destroy_prepare(&statement);
    return Fail(ToError(copy, TypeFromMessage(copy)));
  }
  duckdb_pending_result pending = nullptr;
  const bool started = (streaming ? duckdb_pending_prepared_streaming(statement, &pending)
                                  : duckdb_pending_prepared(statement, &pending)) == DuckDBSuccess;
  duckdb_destroy_prepare(&statement);
  if (!started) {
    std::string message = pending ? duckdb_pending_error(pending) : "cannot start the query";
    duckdb_destroy_pending(&pending);
    return Fail(ToError(message, TypeFromMessage(message)));
  }
  return pending;
}

Status Engine::Stream(std::string_view sql,
                      const std::function<Status(duckdb_data_chunk)>& on_chunk) {
  stop_reason_ = StopReason::kNone;
  AIMASS_ASSIGN_OR_RETURN(duckdb_pending_result pending, Start(sql, /*streaming=*/true));
  duckdb_result result;
  if (duckdb_execute_pending(pending, &result) == DuckDBError) {
    Error error = ToError(duckdb_result_error(&result), duckdb_result_error_type(&result));
    duckdb_destroy_result(&result);
    duckdb_destroy_pending(&pending);
    return Fail(std::move(error));
  }
  duckdb_destroy_pending(&pending);
  Status status = Ok();
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result)) {
    status = on_chunk(chunk);
    duckdb_destroy_data_chunk(&chunk);
    if (!status) break;
  }
  if (status && duckdb_result_error(&result) != nullptr) {
    status = Fail(ToError(duckdb_result_error(&result), duckdb_result_error_type(&result)));
  }
  duckdb_destroy_result(&result);
  return status;
}

Result<Rows> Engine::Run(std::string_view sql, const RunOptions& options) {
  stop_reason_ = StopReason::kNone;
  duckdb_pending_state state = DUCKDB_PENDING_RESULT_NOT_READY;
  duckdb_pending_result pending = nullptr;
  {
    // Started before planning: DuckDB folds constant expressions while it plans, and folding
    // a big value (repeat('x', 10^9)) takes as long as computing it.
    Watchdog watchdog(options.timeout, [this] {
      stop_reason_ = StopReason::kDeadline;
      duckdb_interrupt(connection_);
    });
    AIMASS_ASSIGN_OR_RETURN(pending, Start(sql, /*streaming=*/false));
    auto last_report = Clock::now();
    while (true) {
      state = duckdb_pending_execute_task(pending);
      if (state == DUCKDB_PENDING_RESULT_READY || state == DUCKDB_PENDING_ERROR) break;
      if (state == DUCKDB_PENDING_NO_TASKS_AVAILABLE) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      if (options.progress == nullptr || !*options.progress) continue;
      const auto now = Clock::now();
      if (now - last_report < std::chrono::milliseconds(200)) continue;
      last_report = now;
      const double fraction = Progress();
      const int span = options.percent_to - options.percent_from;
      const int percent =
          options.percent_from + (fraction < 0 ? 0 : static_cast<int>(fraction * span));
      if (!(*options.progress)(percent, options.message)) {
        stop_reason_ = StopReason::kCancelled;
        duckdb_interrupt(connection_);
      }
    }
  }
  if (state == DUCKDB_PENDING_ERROR) {
    std::string message = duckdb_pending_error(pending);
    duckdb_destroy_pending(&pending);
    return Fail(ToError(message, TypeFromMessage(message)));
  }
  // DuckDB sees an interrupt only between tasks, so a query whose one long task outlived the
  // deadline (or a cancel) can still finish; it ran past its limit all the same.
  if (stop_reason_.load() != StopReason::kNone) {
    duckdb_destroy_pending(&pending);
    return Fail(ToError("", DUCKDB_ERROR_INTERRUPT));
  }
  duckdb_result result;
  if (duckdb_execute_pending(pending, &result) == DuckDBError) {
    Error error = ToError(duckdb_result_error(&result), duckdb_result_error_type(&result));
    duckdb_destroy_result(&result);
    duckdb_destroy_pending(&pending);
    return Fail(std::move(error));
  }
  duckdb_destroy_pending(&pending);
  auto rows = ReadRows(&result);
  duckdb_destroy_result(&result);
  return rows;
}

void Engine::Interrupt() {
  stop_reason_ = StopReason::kCancelled;
  duckdb_interrupt(connection_);
}

double Engine::Progress() {
  const duckdb_query_progress_type progress = duckdb_query_progress(connection_);
  if (progress.percentage < 0) return -1;
  return progress.percentage > 100 ? 1.0 : progress.percentage / 100.0;
}

PartialFile::PartialFile(std::filesystem::path path)
    : path_(std::move(path)), partial_(path_.string() + ".partial") {
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
}

PartialFile::~PartialFile() {
  if (committed_) return;
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
}

Status PartialFile::Commit() {
  std::error_code error;
  std::filesystem::rename(partial_, path_, error);
  if (error) {
    return Fail(ErrorCode::kInternal, "cannot move " + partial_.string() + " to " + path_.string() +
                                          ": " + error.message());
  }
  committed_ = true;
  return Ok();
}

std::string DuckDbVersion() { return duckdb_library_version(); }

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ShortDuckDbError(std::string_view message, size_t max) {
  std::string_view line = message.substr(0, message.find('\n'));
  if (const size_t colon = line.find("Error: "); colon != std::string_view::npos && colon < 40) {
    line.remove_prefix(colon + 7);
  }
  std::string out(line.substr(0, max));
  if (line.size() > max) out += "...";
  return out;
}

}  // namespace aimass::data
