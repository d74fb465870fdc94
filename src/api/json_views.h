// How jobs look in the API's JSON (docs/api.md). Dataset versions: data/version_json.h.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace aimass::api {

nlohmann::json JobJson(const store::JobRecord& job);
// Unix milliseconds as ISO 8601 text, or null when there is no time.
nlohmann::json TimeOrNull(const std::optional<int64_t>& millis);

}  // namespace aimass::api
