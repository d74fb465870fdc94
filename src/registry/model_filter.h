// Search conditions as users write them (`aimass models list --tag team:risk`, the REST
// API's ?q=, ?tag=, ?metric=), turned into a store::ModelFilter's parts.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/metadata_store.h"

namespace aimass::registry {

// "roc_auc>=0.9", "rmse < 3.5", "accuracy=1": a metric name (name rules), one of
// < <= = == >= >, and a number.
Result<store::MetricThreshold> ParseMetricThreshold(std::string_view text);
// "team:risk" or "team:risk,stage:prod": keys (name rules) and values split at the first ':'.
Result<std::map<std::string, std::string>> ParseTagFilters(std::string_view text);
// A LIKE pattern (with '\' escapes) for names that contain `text` literally.
std::string LikeContaining(std::string_view text);

}  // namespace aimass::registry
