// /api/v1/jobs: list, show, log, server-sent progress events, cancel.
#include <chrono>
#include <thread>

#include "api/json_views.h"
#include "api/routes.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

constexpr auto kEventPoll = std::chrono::milliseconds(100);
constexpr int kKeepAliveEvery = 150;  // polls: a comment line every 15 s keeps proxies open

Result<int64_t> JobId(const http::Request& request) {
  auto id = ParseCount(request.params.at("id"), "a job id", 0);
  if (id && *id == 0) return Fail(ErrorCode::kInvalidArgument, "job ids start at 1");
  return id;
}

http::Response ListJobs(store::MetadataStore& store, ProjectGate& gate, http::Request& request) {
  store::JobFilter filter;
  auto readable = gate.Readable(request.principal, request.Query("project"));
  if (!readable) return ErrorOf(readable.error());
  filter.projects = *readable;
  std::string state = request.Query("state");
  if (!state.empty()) {
    filter.state = store::ParseJobState(state);
    if (!filter.state) {
      return ErrorOf(
          {ErrorCode::kInvalidArgument,
           "state '" + state + "' is not one of queued, running, succeeded, failed, cancelled"});
    }
  }
  filter.kind = request.Query("kind");
  auto limit = ParseCount(request.Query("limit"), "limit", 50);
  auto offset = ParseCount(request.Query("offset"), "offset", 0);
  if (!limit) return ErrorOf(limit.error());
  if (!offset) return ErrorOf(offset.error());
  filter.limit = std::min<int64_t>(*limit, 1000);
  filter.offset = *offset;
  auto jobs = store.ListJobs(filter);
  if (!jobs) return ErrorOf(jobs.error());
  json list = json::array();
  for (const auto& job : *jobs) list.push_back(JobJson(job));
  return JsonResponse(200, {{"jobs", list}});
}

// Sends the job at once and at every change, until it finishes or the client leaves.
http::Response JobEvents(store::MetadataStore& store, int64_t id) {
  auto first = store.GetJob(id);
  if (!first) return ErrorOf(first.error());
  http::Response response;
  response.content_type = "text/event-stream";
  response.headers.push_back({"Cache-Control", "no-cache"});
  response.stream = [&store, id](const http::ChunkWriter& write) -> Status {
    std::string last;
    for (int polls = 0;; ++polls) {
      AIMASS_ASSIGN_OR_RETURN(store::JobRecord job, store.GetJob(id));
      std::string data = JobJson(job).dump();
      if (data != last) {
        if (!write("event: job\ndata: " + data + "\n\n")) return Ok();
        last = std::move(data);
        polls = 0;
      } else if (polls >= kKeepAliveEvery) {
        if (!write(": still running\n\n")) return Ok();
        polls = 0;
      }
      if (store::IsFinished(job.state)) return Ok();
      std::this_thread::sleep_for(kEventPoll);
    }
  };
  return response;
}

}  // namespace

void AddJobRoutes(http::Router& router, store::MetadataStore& store, const Clock& clock,
                  ProjectGate& gate) {
  router.Add({"GET", "/api/v1/jobs", Access::kUser, BodyMode::kBuffered,
              [&store, &gate](http::Request& request) { return ListJobs(store, gate, request); }});
  router.Add({"GET", "/api/v1/jobs/{id}", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) {
                auto id = JobId(request);
                if (!id) return ErrorOf(id.error());
                auto job = store.GetJob(*id);
                return job ? JsonResponse(200, JobJson(*job)) : ErrorOf(job.error());
              }});
  router.Add({"GET", "/api/v1/jobs/{id}/log", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) {
                auto id = JobId(request);
                if (!id) return ErrorOf(id.error());
                auto lines = store.JobLog(*id);
                if (!lines) return ErrorOf(lines.error());
                http::Response response;
                response.content_type = "text/plain; charset=utf-8";
                for (const auto& line : *lines) response.body += line + "\n";
                return response;
              }});
  router.Add({"GET", "/api/v1/jobs/{id}/events", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) {
                auto id = JobId(request);
                return id ? JobEvents(store, *id) : ErrorOf(id.error());
              }});
  router.Add({"POST", "/api/v1/jobs/{id}/cancel", Access::kUser, BodyMode::kBuffered,
              [&store, &clock](http::Request& request) {
                auto id = JobId(request);
                if (!id) return ErrorOf(id.error());
                auto job = store.RequestCancel(*id, clock.NowMillis());
                return job ? JsonResponse(202, JobJson(*job)) : ErrorOf(job.error());
              }});
}

}  // namespace aimass::api
