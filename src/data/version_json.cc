#include "data/version_json.h"

#include "common/stored_json.h"
#include "common/time_format.h"

namespace aimass::data {
using nlohmann::json;

json VersionSummaryJson(const store::DatasetVersionRecord& v) {
  return {{"dataset", v.dataset_name},
          {"version", v.version},
          {"ref", v.dataset_name + "@" + std::to_string(v.version)},
          {"hash", v.blob_hash},
          {"row_count", v.row_count},
          {"column_count", v.column_count},
          {"size_bytes", v.size_bytes},
          {"created_at", IsoTime(v.created_at)},
          {"job_id", v.job_id},
          {"source", ParseStoredJson(v.source_json)},
          {"lineage", ParseStoredJson(v.lineage_json)}};
}

json VersionDetailJson(const store::DatasetVersionRecord& v) {
  json detail = VersionSummaryJson(v);
  detail["schema"] = ParseStoredJson(v.schema_json);
  return detail;
}

}  // namespace aimass::data
