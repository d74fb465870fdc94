#include "data/transform.h"

#include <cctype>
#include <string>

namespace aimass::data {
namespace {

std::string Seconds(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

// The user's SQL without trailing whitespace and semicolons, so it can sit inside COPY (...).
std::string_view Trimmed(std::string_view sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.remove_suffix(1);
  }
  return sql;
}

Status Sandbox(Engine& engine, const std::filesystem::path& input, const PartialFile& output,
               const TransformLimits& limits) {
  AIMASS_RETURN_IF_ERROR(engine.Execute("CREATE OR REPLACE TEMP VIEW input AS SELECT * FROM " +
                                        ReadParquetSql(input)));
  const std::string allowed =
      "[" + QuoteLiteral(input.string()) + ", " + QuoteLiteral(output.partial().string()) + "]";
  auto status =
      engine.Execute("SET threads = " + std::to_string(limits.threads < 1 ? 1 : limits.threads) +
                     "; SET memory_limit = " + QuoteLiteral(limits.memory_limit) +
                     "; SET allowed_paths = " + allowed +
                     "; SET enable_external_access = false; SET lock_configuration = true;");
  if (!status) {
    return Fail(ErrorCode::kInternal,
                "cannot set up the transform sandbox: " + ShortDuckDbError(status.error().message));
  }
  return Ok();
}

// Second line of defence behind CheckTransformSql: DuckDB binds the statement against the
// real `input` and must call it a SELECT.
Status CheckBindsAsSelect(Engine& engine, std::string_view sql) {
  const std::string text(sql);
  duckdb_prepared_statement statement = nullptr;
  const bool prepared =
      duckdb_prepare(engine.connection(), text.c_str(), &statement) == DuckDBSuccess;
  std::string error = prepared ? "" : ShortDuckDbError(duckdb_prepare_error(statement));
  const duckdb_statement_type type =
      prepared ? duckdb_prepared_statement_type(statement) : DUCKDB_STATEMENT_TYPE_INVALID;
  duckdb_destroy_prepare(&statement);
  if (!prepared) return Fail(ErrorCode::kInvalidArgument, "the transform SQL is wrong: " + error);
  if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
    return Fail(ErrorCode::kInvalidArgument, "a transform must be a single SELECT");
  }
  return Ok();
}

Error Explain(const Error& error, const TransformLimits& limits) {
  const std::string& raw = error.message;
  switch (error.code) {
    case ErrorCode::kDeadlineExceeded:
      return {error.code, "the transform ran past its time limit of " + Seconds(limits.timeout) +
                              "; filter earlier, or check for an endless recursive WITH"};
    case ErrorCode::kCancelled:
      return {error.code, "the transform was cancelled"};
    default:
      break;
  }
  if (raw.starts_with("Out of Memory")) {
    return {ErrorCode::kInvalidArgument,
            "the transform needs more than its memory limit of " + limits.memory_limit +
                "; aggregate or filter earlier, or select fewer columns"};
  }
  if (raw.starts_with("Permission")) {
    return {ErrorCode::kInvalidArgument,
            "the transform tried to access files or the network, which transforms may not do: " +
                ShortDuckDbError(raw)};
  }
  return {error.code, "the transform failed: " + ShortDuckDbError(raw)};
}

Result<TableInfo> TransformImpl(Engine& engine, const std::filesystem::path& input_parquet,
                                std::string_view sql, const TransformLimits& limits,
                                const std::filesystem::path& output, const ProgressFn& progress) {
  AIMASS_RETURN_IF_ERROR(CheckTransformSql(sql));
  sql = Trimmed(sql);
  PartialFile partial(output);
  AIMASS_RETURN_IF_ERROR(Sandbox(engine, input_parquet, partial, limits));
  AIMASS_RETURN_IF_ERROR(CheckBindsAsSelect(engine, sql));
  if (progress && !progress(1, "running")) return Fail(ErrorCode::kCancelled, "cancelled");

  RunOptions run;
  run.progress = &progress;
  run.percent_from = 1;
  run.percent_to = 85;
  run.message = "running";
  run.timeout = limits.timeout;
  // The newlines end any trailing "--" comment of the user's SQL.
  auto copied = engine.Run("COPY (\n" + std::string(sql) + "\n) TO " +
                               QuoteLiteral(partial.partial().string()) +
                               " (FORMAT parquet, COMPRESSION snappy, USE_TMP_FILE false)",
                           run);
  if (!copied) return Fail(Explain(copied.error(), limits));
  auto info = DescribeParquet(engine, partial.partial(), progress, 85, 99);
  if (!info) return Fail(Explain(info.error(), limits));
  AIMASS_RETURN_IF_ERROR(partial.Commit());
  if (progress) progress(100, "done");
  return info;
}

}  // namespace

Result<TableInfo> TransformParquet(Engine& engine, const std::filesystem::path& input_parquet,
                                   std::string_view sql, const TransformLimits& limits,
                                   const std::filesystem::path& output,
                                   const ProgressFn& progress) {
  try {
    return TransformImpl(engine, input_parquet, sql, limits, output, progress);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("the transform failed: ") + e.what());
  }
}

}  // namespace aimass::data
