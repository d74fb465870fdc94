#include "data/append.h"

namespace aimass::data {

Result<TableInfo> AppendParquet(Engine& engine, const std::filesystem::path& previous,
                                const std::filesystem::path& batch,
                                const std::filesystem::path& output, const ProgressFn& progress) {
  PartialFile partial(output);
  RunOptions run;
  run.progress = progress ? &progress : nullptr;
  run.percent_from = 0;
  run.percent_to = 80;
  run.message = "appending";
  auto copied = engine.Run("COPY (SELECT * FROM " + ReadParquetSql(previous) +
                               " UNION ALL BY NAME SELECT * FROM " + ReadParquetSql(batch) +
                               ") TO " + QuoteLiteral(partial.partial().string()) +
                               " (FORMAT parquet, COMPRESSION snappy)",
                           run);
  if (!copied) {
    if (copied.error().code != ErrorCode::kInvalidArgument) return Fail(copied.error());
    return Fail(ErrorCode::kInvalidArgument,
                "the new rows do not fit the dataset's columns (" +
                    ShortDuckDbError(copied.error().message) +
                    "); import them with the same column types, or as a batch of their own "
                    "(mode \"batch\")");
  }
  AIMASS_ASSIGN_OR_RETURN(TableInfo info,
                          DescribeParquet(engine, partial.partial(), progress, 80, 99));
  AIMASS_RETURN_IF_ERROR(partial.Commit());
  return info;
}

}  // namespace aimass::data
