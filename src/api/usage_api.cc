// GET /api/v1/system: the server's use of CPU, memory, disk and workers (the console's
// System page polls it).
#include <chrono>

#include "api/routes.h"
#include "common/time_format.h"
#include "http/response.h"
#include "monitor/system_usage.h"

namespace aimass::api {
using http::Access;
using http::JsonResponse;
using nlohmann::json;

namespace {

Result<int64_t> CountJobs(store::MetadataStore& store, store::JobState state) {
  store::JobFilter filter;
  filter.state = state;
  filter.limit = 100'000;
  AIMASS_ASSIGN_OR_RETURN(auto jobs, store.ListJobs(filter));
  return static_cast<int64_t>(jobs.size());
}

}  // namespace

void AddUsageRoute(http::Router& router, const UsageSources& sources) {
  router.Add({"GET", "/api/v1/system", Access::kAdmin, http::BodyMode::kBuffered,
              [sources](http::Request&) {
                const monitor::SystemUsage usage = monitor::ReadSystemUsage(sources.data_dir);
                auto queued = CountJobs(sources.store, store::JobState::kQueued);
                if (!queued) return ErrorOf(queued.error());
                auto running = CountJobs(sources.store, store::JobState::kRunning);
                if (!running) return ErrorOf(running.error());
                const auto now = std::chrono::system_clock::now();
                const std::chrono::duration<double> uptime =
                    std::chrono::steady_clock::now() - sources.started;
                return JsonResponse(
                    200, {{"at", IsoTime(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             now.time_since_epoch())
                                             .count())},
                          {"host",
                           {{"cores", usage.cores},
                            {"load_average", usage.load_average},
                            {"memory_total_bytes", usage.memory_total_bytes},
                            {"memory_available_bytes", usage.memory_available_bytes}}},
                          {"process",
                           {{"cpu_seconds", usage.cpu_seconds},
                            {"resident_bytes", usage.resident_bytes},
                            {"threads", usage.threads},
                            {"uptime_seconds", uptime.count()}}},
                          {"disk",
                           {{"path", sources.data_dir.string()},
                            {"total_bytes", usage.disk_total_bytes},
                            {"free_bytes", usage.disk_free_bytes}}},
                          {"workers",
                           {{"threads", sources.pool.threads()},
                            {"busy", sources.pool.Busy()},
                            {"queued_jobs", *queued},
                            {"running_jobs", *running}}}});
              }});
}

}  // namespace aimass::api
