#include "api/json_views.h"

#include "common/stored_json.h"
#include "common/time_format.h"

namespace aimass::api {
using nlohmann::json;

json TimeOrNull(const std::optional<int64_t>& millis) {
  return millis ? json(IsoTime(*millis)) : json(nullptr);
}

json JobJson(const store::JobRecord& job) {
  return {{"id", job.id},
          {"kind", job.kind},
          {"state", store::JobStateName(job.state)},
          {"progress", job.progress},
          {"message", job.message},
          {"params", ParseStoredJson(job.params_json)},
          {"result", ParseStoredJson(job.result_json)},
          {"error", job.error.empty() ? json(nullptr) : json(job.error)},
          {"attempts", job.attempts},
          {"project", job.project},
          {"created_at", IsoTime(job.created_at)},
          {"started_at", TimeOrNull(job.started_at)},
          {"finished_at", TimeOrNull(job.finished_at)}};
}

}  // namespace aimass::api
