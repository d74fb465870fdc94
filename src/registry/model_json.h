// How models and their versions look in JSON (docs/api.md's Model, ModelVersionSummary and
// ModelVersionDetail): used by the API and as the result of jobs that make versions.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace aimass::registry {

nlohmann::json ModelJson(const store::ModelRecord& model);
nlohmann::json ModelVersionSummaryJson(const store::ModelVersionRecord& version);
// The summary plus members, leaderboard, params, lineage and the bundle's size.
nlohmann::json ModelVersionDetailJson(const store::ModelVersionRecord& version);

}  // namespace aimass::registry
