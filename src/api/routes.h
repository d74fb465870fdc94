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

}  // namespace aimass::api
