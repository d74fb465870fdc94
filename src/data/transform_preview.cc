// DatasetService::PreviewTransform: a transform's first rows, computed now and kept nowhere.
#include <algorithm>
#include <filesystem>
#include <string>

#include "data/dataset_service.h"
#include "data/sql_sandbox.h"
#include "data/transform.h"

namespace aimass::data {
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kPreviewTimeout{15000};

// "SELECT …;  " -> "SELECT …": the SQL goes inside a subquery.
std::string_view WithoutTrailingSemicolons(std::string_view sql) {
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) {
    sql.remove_suffix(1);
  }
  return sql;
}

// Removes the scratch Parquet file whatever happens.
struct ScratchFile {
  fs::path path;
  ~ScratchFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

}  // namespace

Result<TransformPreview> DatasetService::PreviewTransform(const TransformRequest& request,
                                                          int64_t limit) {
  if (limit < 1 || limit > 1000) {
    return Fail(ErrorCode::kInvalidArgument,
                "a transform preview shows 1 to 1000 rows, not " + std::to_string(limit));
  }
  AIMASS_RETURN_IF_ERROR(CheckTransformSql(request.sql));
  AIMASS_ASSIGN_OR_RETURN(auto input, Version(request.input));
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile input_file, VersionFile(input));
  // One row more than shown says whether there are more. The newline keeps a trailing
  // comment from swallowing the parenthesis.
  const std::string sql = "SELECT * FROM (\n" +
                          std::string(WithoutTrailingSemicolons(request.sql)) + "\n) LIMIT " +
                          std::to_string(limit + 1);
  TransformLimits limits;
  limits.timeout = std::min<std::chrono::milliseconds>(options_.transform_timeout, kPreviewTimeout);
  limits.memory_limit = options_.transform_memory_limit;
  limits.threads = options_.engine_threads;
  ScratchFile output{blobs_.NewScratchPath(".parquet")};
  {
    AIMASS_ASSIGN_OR_RETURN(auto engine, OpenEngine());
    AIMASS_RETURN_IF_ERROR(
        TransformParquet(*engine, input_file.path(), sql, limits, output.path, {}));
  }
  AIMASS_ASSIGN_OR_RETURN(auto engine, OpenEngine());
  AIMASS_ASSIGN_OR_RETURN(Page page, PreviewParquet(*engine, output.path, 0, limit + 1));
  TransformPreview preview;
  preview.truncated = page.rows.size() > static_cast<size_t>(limit);
  if (preview.truncated) page.rows.erase(page.rows.end() - 1);
  page.total_rows = static_cast<int64_t>(page.rows.size());
  preview.page = std::move(page);
  return preview;
}

}  // namespace aimass::data
