#include "registry/model_json.h"

#include "common/stored_json.h"
#include "common/time_format.h"
#include "registry/bundle.h"

namespace aimass::registry {
using nlohmann::json;

json ModelJson(const store::ModelRecord& m) {
  return {{"name", m.name},
          {"project", m.project},
          {"description", m.description},
          {"created_at", IsoTime(m.created_at)},
          {"updated_at", IsoTime(m.updated_at)},
          {"version_count", m.version_count},
          {"latest_version", m.latest_version == 0 ? json(nullptr) : json(m.latest_version)},
          {"tags", m.tags},
          {"aliases", m.aliases}};
}

json ModelVersionSummaryJson(const store::ModelVersionRecord& v) {
  int64_t size = 0;
  for (const auto& member : v.members) size += member.size_bytes;
  return {{"model", v.model_name},
          {"version", v.version},
          {"ref", v.model_name + "@" + std::to_string(v.version)},
          {"task", v.task},
          {"description", v.description},
          {"metrics", ParseStoredJson(v.metrics_json)},
          {"aliases", v.aliases},
          {"member_count", v.members.size()},
          {"size_bytes", size},
          {"created_at", IsoTime(v.created_at)},
          {"job_id", v.job_id == 0 ? json(nullptr) : json(v.job_id)},
          {"source", ParseStoredJson(v.source_json)}};
}

json ModelVersionDetailJson(const store::ModelVersionRecord& v) {
  json detail = ModelVersionSummaryJson(v);
  json members = json::array();
  for (const auto& m : v.members) {
    members.push_back({{"name", m.name}, {"size_bytes", m.size_bytes}, {"sha256", m.blob_hash}});
  }
  detail["members"] = members;
  detail["bundle_size_bytes"] = BundleSize(v);
  detail["leaderboard"] = ParseStoredJson(v.leaderboard_json);
  detail["params"] = ParseStoredJson(v.params_json);
  detail["lineage"] = ParseStoredJson(v.lineage_json);
  return detail;
}

}  // namespace aimass::registry
