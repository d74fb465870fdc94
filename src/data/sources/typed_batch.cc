#include "data/sources/typed_batch.h"

#include "data/engine.h"
#include "data/importer.h"

namespace aimass::data::sources {

Status JsonLinesToParquet(const std::filesystem::path& jsonl,
                          const std::vector<TypedColumn>& columns,
                          const std::filesystem::path& parquet) {
  AIMASS_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                          Engine::Open(EngineOptions{1, "1GB", {}}));
  std::string spec;
  for (const TypedColumn& column : columns) {
    spec +=
        (spec.empty() ? "" : ", ") + QuoteLiteral(column.name) + ": " + QuoteLiteral(column.type);
  }
  auto written =
      engine->Execute("COPY (SELECT * FROM read_json(" + QuoteLiteral(jsonl.string()) +
                      ", format='newline_delimited', columns={" + spec +
                      "}, maximum_object_size=" + std::to_string(kMaxLineBytes) + ")) TO " +
                      QuoteLiteral(parquet.string()) + " (FORMAT parquet, COMPRESSION snappy)");
  if (!written) {
    return Fail(ErrorCode::kInternal, "cannot write the batch " + jsonl.filename().string() +
                                          " as Parquet: " + written.error().message);
  }
  return Ok();
}

}  // namespace aimass::data::sources
