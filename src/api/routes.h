// The REST API's routes, one function per resource. Handlers translate HTTP to service
// calls and records to JSON; they never touch SQL or files.
#pragma once

#include <atomic>
#include <string>

#include "common/clock.h"
#include "data/dataset_service.h"
#include "http/router.h"
#include "store/metadata_store.h"

namespace aimass::api {

struct SystemInfo {
  std::string version;
  const std::atomic<bool>* ready = nullptr;  // /v2/health/ready answers 503 until true
};

void AddSystemRoutes(http::Router& router, const SystemInfo& info);
void AddJobRoutes(http::Router& router, store::MetadataStore& store, const Clock& clock);
void AddDatasetRoutes(http::Router& router, data::DatasetService& datasets);

// Shared by the handlers: a Result's error as the API's JSON error response.
http::Response ErrorOf(const Error& error);
// A whole number >= 0 written in a URL (`what` names it in the error); `fallback` when
// the text is empty.
Result<int64_t> ParseCount(std::string_view text, std::string_view what, int64_t fallback);

}  // namespace aimass::api
