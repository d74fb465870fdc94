// /api/v1/training-runs: AutoML runs, which are jobs of kind "model.train" with their trials;
// and /api/v1/models/import-xgboost, the other way a model is made from outside the registry.
#include "api/json_views.h"
#include "api/routes.h"
#include "common/files.h"
#include "common/project_scope.h"
#include "data/json_depth.h"
#include "http/response.h"
#include "registry/model_json.h"
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

// "a,b,c" -> {"a","b","c"}; "" -> {}.
std::vector<std::string> CommaList(const std::string& text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

// POST /api/v1/models/import-xgboost?name=N[&features=a,b][&task=T][&classes=x,y]
// with the model file (Booster.save_model's JSON or UBJSON) as the body.
http::Response ImportXgboost(train::TrainingService& training, ProjectGate& gate,
                             const http::Request& request) {
  if (request.body_size == 0) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    "send the XGBoost model file as the request body (curl --data-binary "
                    "@model.json), or use `aimass models import-xgboost FILE --name N`"});
  }
  const std::string name = request.Query("name");
  if (name.empty()) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    "name the model to register: ?name=N (a new version of N is added)"});
  }
  // The XGBoost and JSON readers recurse once per nesting level: measure it first.
  auto bytes = ReadFile(request.body_file);
  if (!bytes) return ErrorOf(bytes.error());
  if (auto flat = data::CheckModelFileDepth(*bytes, "the model file"); !flat) {
    return ErrorOf(flat.error());
  }
  auto project = gate.Into(request.principal, store::ProjectResource::kModel, name,
                           request.Query("project"));
  if (!project) return ErrorOf(project.error());
  ProjectScope scope(*project);
  train::XgboostImportSpec spec;
  spec.features = CommaList(request.Query("features"));
  spec.task = request.Query("task");
  spec.classes = CommaList(request.Query("classes"));
  auto version = training.ImportXgboost(request.body_file, name, spec, request.Query("filename"));
  return version ? JsonResponse(201, registry::ModelVersionDetailJson(*version))
                 : ErrorOf(version.error());
}

}  // namespace

void AddTrainingRoutes(http::Router& router, store::MetadataStore& store,
                       train::TrainingService& training, ProjectGate& gate) {
  router.Add({"POST", "/api/v1/training-runs", Access::kUser, BodyMode::kBuffered,
              [&training, &gate](http::Request& request) {
                if (auto flat = data::CheckJsonDepth(request.body); !flat) {
                  return ErrorOf(flat.error());
                }
                const json body = json::parse(request.body, nullptr, false);
                if (body.is_discarded()) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "the body is not JSON; send for example "
                                  "{\"dataset\":\"credit@1\",\"target\":\"Status\"}"});
                }
                // The run, and the model it registers, join the dataset's project.
                int64_t project = kDefaultProjectId;
                if (body.is_object() && body.value("dataset", json()).is_string()) {
                  const std::string dataset = body["dataset"].get<std::string>();
                  auto of_dataset =
                      gate.Require(request.principal, store::ProjectResource::kDataset,
                                   dataset.substr(0, dataset.find('@')), store::ProjectRole::kEditor);
                  if (!of_dataset) return ErrorOf(of_dataset.error());
                  if (*of_dataset != 0) project = *of_dataset;
                }
                if (body.is_object() && body.value("register", json()).is_string()) {
                  auto model = gate.Require(request.principal, store::ProjectResource::kModel,
                                            body["register"].get<std::string>(),
                                            store::ProjectRole::kEditor);
                  if (!model) return ErrorOf(model.error());
                }
                ProjectScope scope(project);
                auto job = training.StartTraining(body);
                return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
              }});
  router.Add({"GET", "/api/v1/training-runs", Access::kUser, BodyMode::kBuffered,
              [&store, &gate](http::Request& request) {
                store::JobFilter filter;
                filter.kind = train::kTrainingJob;
                auto readable = gate.Readable(request.principal, request.Query("project"));
                if (!readable) return ErrorOf(readable.error());
                filter.projects = *readable;
                auto limit = ParseCount(request.Query("limit"), "limit", 50);
                if (!limit) return ErrorOf(limit.error());
                filter.limit = *limit;
                auto jobs = store.ListJobs(filter);
                if (!jobs) return ErrorOf(jobs.error());
                json runs = json::array();
                for (const auto& job : *jobs) runs.push_back(JobJson(job));
                return JsonResponse(200, {{"training_runs", std::move(runs)}});
              }});
  router.Add({"POST", "/api/v1/models/import-xgboost", Access::kUser, BodyMode::kFile,
              [&training, &gate](http::Request& request) {
                return ImportXgboost(training, gate, request);
              }});
  router.Add({"GET", "/api/v1/training-runs/{id}", Access::kUser, BodyMode::kBuffered,
              [&store, &training](http::Request& request) {
                return RunJson(store, training, request.params.at("id"));
              }});
}

}  // namespace aimass::api
