// How records look in the API's JSON (docs/api.md): one function per shape.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace aimass::api {

nlohmann::json JobJson(const store::JobRecord& job);
nlohmann::json VersionSummaryJson(const store::DatasetVersionRecord& version);
// The summary plus "schema".
nlohmann::json VersionDetailJson(const store::DatasetVersionRecord& version);

}  // namespace aimass::api
