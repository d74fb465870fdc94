// /api/v1/training-runs: AutoML runs, which are jobs of kind "model.train" with their trials.
#include "api/json_views.h"
#include "api/routes.h"
#include "http/response.h"
#include "train/training_service.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

// A training run: its job, and the trials it has finished so far.
http::Response RunJson(store::MetadataStore& store, train::TrainingService& training,
                       const std::string& id_text) {
  auto id = ParseCount(id_text, "a training run id", 0);
  if (!id) return ErrorOf(id.error());
  auto job = store.GetJob(*id);
  if (!job) return ErrorOf(job.error());
  if (job->kind != train::kTrainingJob) {
    return ErrorOf({ErrorCode::kNotFound,
                    "job " + id_text + " is not a training run (it is a " + job->kind + " job)"});
  }
  auto trials = training.Trials(*id);
  if (!trials) return ErrorOf(trials.error());
  return JsonResponse(200, {{"job", JobJson(*job)}, {"trials", std::move(*trials)}});
}

}  // namespace

void AddTrainingRoutes(http::Router& router, store::MetadataStore& store,
                       train::TrainingService& training) {
  router.Add({"POST", "/api/v1/training-runs", Access::kUser, BodyMode::kBuffered,
              [&training](http::Request& request) {
                const json body = json::parse(request.body, nullptr, false);
                if (body.is_discarded()) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "the body is not JSON; send for example "
                                  "{\"dataset\":\"credit@1\",\"target\":\"Status\"}"});
                }
                auto job = training.StartTraining(body);
                return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
              }});
  router.Add({"GET", "/api/v1/training-runs", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) {
                store::JobFilter filter;
                filter.kind = train::kTrainingJob;
                auto limit = ParseCount(request.Query("limit"), "limit", 50);
                if (!limit) return ErrorOf(limit.error());
                filter.limit = *limit;
                auto jobs = store.ListJobs(filter);
                if (!jobs) return ErrorOf(jobs.error());
                json runs = json::array();
                for (const auto& job : *jobs) runs.push_back(JobJson(job));
                return JsonResponse(200, {{"training_runs", std::move(runs)}});
              }});
  router.Add({"GET", "/api/v1/training-runs/{id}", Access::kUser, BodyMode::kBuffered,
              [&store, &training](http::Request& request) {
                return RunJson(store, training, request.params.at("id"));
              }});
}

}  // namespace aimass::api
