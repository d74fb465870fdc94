#include "api/json_views.h"

#include "common/time_format.h"

namespace aimass::api {
using nlohmann::json;

namespace {

json TimeOrNull(const std::optional<int64_t>& millis) {
  return millis ? json(IsoTime(*millis)) : json(nullptr);
}

// Stored JSON text back to a value; null for empty text.
json Parsed(const std::string& text) {
  if (text.empty()) return nullptr;
  json value = json::parse(text, nullptr, false);
  return value.is_discarded() ? json(nullptr) : value;
}

}  // namespace

json JobJson(const store::JobRecord& job) {
  return {{"id", job.id},
          {"kind", job.kind},
          {"state", store::JobStateName(job.state)},
          {"progress", job.progress},
          {"message", job.message},
          {"params", Parsed(job.params_json)},
          {"result", Parsed(job.result_json)},
          {"error", job.error.empty() ? json(nullptr) : json(job.error)},
          {"attempts", job.attempts},
          {"created_at", IsoTime(job.created_at)},
          {"started_at", TimeOrNull(job.started_at)},
          {"finished_at", TimeOrNull(job.finished_at)}};
}

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
          {"source", Parsed(v.source_json)},
          {"lineage", Parsed(v.lineage_json)}};
}

json VersionDetailJson(const store::DatasetVersionRecord& v) {
  json detail = VersionSummaryJson(v);
  detail["schema"] = Parsed(v.schema_json);
  return detail;
}

}  // namespace aimass::api
