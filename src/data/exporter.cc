#include "data/exporter.h"

#include <string>

#include "data/column_stats.h"

namespace aimass::data {
namespace {

Status ExportImpl(Engine& engine, const std::filesystem::path& parquet, FileFormat format,
                  const std::filesystem::path& output) {
  if (!std::filesystem::is_regular_file(parquet)) {
    return Fail(ErrorCode::kNotFound, "no Parquet file at '" + parquet.string() + "'");
  }
  PartialFile partial(output);
  if (format == FileFormat::kParquet) {
    std::error_code error;
    std::filesystem::copy_file(parquet, partial.partial(),
                               std::filesystem::copy_options::overwrite_existing, error);
    if (error) {
      return Fail(ErrorCode::kInternal, "cannot copy the Parquet file: " + error.message());
    }
    return partial.Commit();
  }
  std::string options;
  switch (format) {
    case FileFormat::kCsv:
      options = "FORMAT csv, HEADER true";
      break;
    case FileFormat::kTsv:
      options = "FORMAT csv, HEADER true, DELIMITER '\t'";
      break;
    case FileFormat::kJsonLines:
      options = "FORMAT json";
      break;
    case FileFormat::kParquet:
      break;
  }
  auto status = engine.Execute("COPY (SELECT * FROM " + ReadParquetSql(parquet) + ") TO " +
                               QuoteLiteral(partial.partial().string()) + " (" + options + ")");
  if (!status) {
    return Fail(ErrorCode::kInternal,
                "cannot export the dataset: " + ShortDuckDbError(status.error().message));
  }
  return partial.Commit();
}

}  // namespace

Status ExportParquet(Engine& engine, const std::filesystem::path& parquet, FileFormat format,
                     const std::filesystem::path& output) {
  try {
    return ExportImpl(engine, parquet, format, output);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("cannot export the dataset: ") + e.what());
  }
}

}  // namespace aimass::data
