// The DuckDB engine wrapper: one in-memory database and connection, queries with progress,
// cancellation and deadlines, results as JSON-typed rows. Only the C API is used.
#pragma once

#include <duckdb.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::data {

struct EngineOptions {
  int threads = 2;
  std::string memory_limit = "2GB";
  // Where DuckDB may spill; empty: no spilling (queries past memory_limit fail).
  std::filesystem::path temp_directory;
};

struct Column {
  std::string name;
  std::string type;  // DuckDB's type name: "BIGINT", "DOUBLE", "VARCHAR", ...
};

// Called with progress 0..100 and a short message; returning false cancels the work, which
// then fails with ErrorCode::kCancelled. Called on the thread that runs the work.
using ProgressFn = std::function<bool(int percent, std::string_view message)>;

// A materialized query result. Values are JSON-typed: numbers, strings, booleans, null.
// Only BOOLEAN, integer, FLOAT, DOUBLE and VARCHAR columns can be read; cast others in SQL.
struct Rows {
  std::vector<Column> columns;
  nlohmann::json rows = nlohmann::json::array();  // array of arrays
};

// How Engine::Run reports progress and when it gives up.
struct RunOptions {
  const ProgressFn* progress = nullptr;  // may be null
  int percent_from = 0;                  // the query's 0..1 is mapped onto [from, to]
  int percent_to = 100;
  std::string_view message = "working";
  std::chrono::milliseconds timeout{0};  // 0: none
};

// One in-memory DuckDB database with one connection. Not thread-safe: use one Engine per job
// or request (open + close measured at 25-36 ms on the 2-core box). Interrupt() and Progress() are
// the exceptions: they may be called from any thread while another thread runs a query.
class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs one or more statements and discards their results.
  Status Execute(std::string_view sql);
  // Runs one statement and materializes its result (meant for small results).
  Result<Rows> Query(std::string_view sql);
  // Runs one statement, reporting progress and honouring cancellation and the timeout.
  // A timeout fails with kDeadlineExceeded, a cancel (ProgressFn or Interrupt) kCancelled.
  Result<Rows> Run(std::string_view sql, const RunOptions& options);
  // Runs one statement and hands its result to `on_chunk` one chunk (up to 2,048 rows) at a
  // time as DuckDB produces it, never materializing it: for scans of whole tables. The chunk
  // is destroyed after the call. An error from `on_chunk` stops the query and is returned.
  Status Stream(std::string_view sql, const std::function<Status(duckdb_data_chunk)>& on_chunk);

  // Stops the running query, if any; it then fails with kCancelled. Thread-safe.
  void Interrupt();
  // The running query's progress in 0..1, or -1 when unknown or idle. Thread-safe.
  double Progress();

  duckdb_connection connection() { return connection_; }

 private:
  enum class StopReason { kNone, kCancelled, kDeadline };
  Engine() = default;
  Error ToError(std::string_view message, duckdb_error_type type) const;
  // Prepares `sql` and starts it; the caller destroys the pending result.
  Result<duckdb_pending_result> Start(std::string_view sql, bool streaming);

  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
  std::atomic<StopReason> stop_reason_{StopReason::kNone};
};

// A file being written at `path` + ".partial", renamed to `path` by Commit() and removed
// by the destructor otherwise, so that a failure never leaves a partial file at `path`.
// Not thread-safe.
class PartialFile {
 public:
  explicit PartialFile(std::filesystem::path path);
  ~PartialFile();
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const std::filesystem::path& partial() const { return partial_; }
  Status Commit();

 private:
  std::filesystem::path path_;
  std::filesystem::path partial_;
  bool committed_ = false;
};

// DuckDB's version, e.g. "v1.4.4".
std::string DuckDbVersion();

// 'it''s' — a SQL string literal.
std::string QuoteLiteral(std::string_view text);
// "my ""col""" — a SQL identifier.
std::string QuoteIdentifier(std::string_view name);
// The first line of a DuckDB error without its "Xxx Error: " prefix, at most `max` bytes.
std::string ShortDuckDbError(std::string_view message, size_t max = 300);

}  // namespace aimass::data
