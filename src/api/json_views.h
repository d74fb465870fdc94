// How jobs look in the API's JSON (docs/api.md). Dataset versions: data/version_json.h.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace aimass::api {

nlohmann::json JobJson(const store::JobRecord& job);

}  // namespace aimass::api
