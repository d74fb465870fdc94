// How a dataset version looks in JSON (docs/api.md's VersionSummary and VersionDetail):
// used by the API and as the result of the jobs that make versions.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace aimass::data {

nlohmann::json VersionSummaryJson(const store::DatasetVersionRecord& version);
// The summary plus "schema".
nlohmann::json VersionDetailJson(const store::DatasetVersionRecord& version);

}  // namespace aimass::data
