// /api/v1/endpoints: serving endpoints over HTTP — deploy, change, list, delete — and the
// record-style prediction API, feedback and live quality.
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "api/json_views.h"
#include "api/routes.h"
#include "common/project_scope.h"
#include "common/time_format.h"
#include "data/json_depth.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

constexpr std::string_view kDeployExample =
    R"({"name":"fraud","model":"credit@champion","canary":{"model":"credit@4","percent":10},"shadow":"credit@5"})";

json ServingJson(const std::shared_ptr<const serve::LoadedModel>& model) {
  if (!model) return nullptr;
  return {{"model", model->Ref()},
          {"name", model->version.model_name},
          {"version", model->version.version},
          {"task", model->version.task},
          {"notes", model->notes}};
}

json EndpointJson(const serve::EndpointStatus& status) {
  const auto& record = status.record;
  json out = {{"name", record.name},
              {"project", record.project},
              {"model", record.model},
              {"canary", record.canary.empty()
                             ? json(nullptr)
                             : json{{"model", record.canary}, {"percent", record.canary_percent}}},
              {"shadow", record.shadow.empty() ? json(nullptr) : json(record.shadow)},
              {"state", status.state},
              {"serving", nullptr},
              {"canary_serving", nullptr},
              {"shadow_serving", nullptr},
              {"created_at", record.created_at ? json(IsoTime(record.created_at)) : json()},
              {"updated_at", record.updated_at ? json(IsoTime(record.updated_at)) : json()}};
  if (status.deployment) {
    out["serving"] = ServingJson(status.deployment->model);
    out["canary_serving"] = ServingJson(status.deployment->canary);
    out["shadow_serving"] = ServingJson(status.deployment->shadow);
  }
  return out;
}

// "credit@4:10%" or {"model":"credit@4","percent":10}.
Status ReadCanary(const json& canary, store::EndpointRecord& record) {
  if (canary.is_null()) return Ok();
  if (canary.is_object() && canary.value("model", json()).is_string() &&
      canary.value("percent", json()).is_number_integer()) {
    record.canary = canary["model"].get<std::string>();
    record.canary_percent = canary["percent"].get<int>();
    return Ok();
  }
  if (canary.is_string()) {
    const std::string text = canary.get<std::string>();
    const auto colon = text.rfind(':');
    std::string percent = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (!percent.empty() && percent.back() == '%') percent.pop_back();
    int value = -1;
    auto [end, ec] = std::from_chars(percent.data(), percent.data() + percent.size(), value);
    if (colon != std::string::npos && ec == std::errc() && end == percent.data() + percent.size()) {
      record.canary = text.substr(0, colon);
      record.canary_percent = value;
      return Ok();
    }
  }
  return Fail(ErrorCode::kInvalidArgument,
              "canary: give it as \"credit@4:10%\" or {\"model\":\"credit@4\",\"percent\":10}, "
              "not " +
                  canary.dump());
}

// The endpoint fields of a POST or PUT body.
Result<store::EndpointRecord> RecordOf(const http::Request& request, std::string name) {
  AIMASS_RETURN_IF_ERROR(data::CheckJsonDepth(request.body));
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "send a JSON object like " + std::string(kDeployExample));
  }
  store::EndpointRecord record;
  if (name.empty()) {
    if (!body.value("name", json()).is_string()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the endpoint needs a \"name\", like " + std::string(kDeployExample));
    }
    name = body["name"].get<std::string>();
  }
  record.name = std::move(name);
  if (!body.value("model", json()).is_string()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the endpoint needs a \"model\" (\"credit@champion\", \"credit@3\"), like " +
                    std::string(kDeployExample));
  }
  record.model = body["model"].get<std::string>();
  AIMASS_RETURN_IF_ERROR(ReadCanary(body.value("canary", json()), record));
  const json shadow = body.value("shadow", json());
  if (!shadow.is_null() && !shadow.is_string()) {
    return Fail(ErrorCode::kInvalidArgument, "shadow: give a model like \"credit@5\"");
  }
  if (shadow.is_string()) record.shadow = shadow.get<std::string>();
  return record;
}

http::Response Predict(serve::EndpointService& endpoints, http::Request& request) {
  const std::string& name = request.params.at("name");
  if (request.query.empty()) {
    // The plain form, read without a JSON document (it has no nesting to check the depth
    // of); anything else goes on below.
    if (auto answered = endpoints.PredictInstances(name, request.body)) {
      if (!*answered) return ErrorOf(answered->error());
      http::Response response;
      response.body = std::move(**answered);
      return response;
    }
  }
  if (auto flat = data::CheckJsonDepth(request.body); !flat) return ErrorOf(flat.error());
  json body;
  try {
    body = json::parse(request.body);
  } catch (const json::exception& error) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    std::string("the body is not valid JSON (") + error.what() +
                        "); JSON has no NaN or Infinity: send null for a missing value"});
  }
  if (!body.is_object() || !body.contains("instances")) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    "send {\"instances\":[{\"column\":value, ...}, ...]} (add "
                    "\"explain\":true for per-column contributions)"});
  }
  serve::PredictOptions options;
  const json explain = body.value("explain", json(false));
  options.explain =
      (explain.is_boolean() && explain.get<bool>()) || request.Query("explain") == "true";
  auto answer = endpoints.Predict(request.params.at("name"), std::move(body["instances"]), options);
  if (!answer) return ErrorOf(answer.error());
  return JsonResponse(200, {{"endpoint", request.params.at("name")},
                            {"model", answer->model->Ref()},
                            {"version", answer->model->version.version},
                            {"id", answer->id},
                            {"predictions", std::move(answer->predictions)}});
}

// The project an endpoint of these models serves in: that of its primary model, where the
// caller needs an editor's role; its canary and shadow must be models of the same project.
// `serving_in` is the endpoint's own project when it exists already (0 otherwise).
Result<int64_t> ModelsProject(ProjectGate& gate, const http::Principal& caller,
                              const store::EndpointRecord& record, int64_t serving_in) {
  int64_t project = serving_in;
  for (const std::string* ref : {&record.model, &record.canary, &record.shadow}) {
    if (ref->empty()) continue;
    const std::string model = ref->substr(0, ref->find('@'));
    AIMASS_ASSIGN_OR_RETURN(int64_t of_model, gate.Require(caller, store::ProjectResource::kModel,
                                                           model, store::ProjectRole::kEditor));
    if (of_model == 0) continue;  // deploying answers that the model does not exist
    if (project == 0) project = of_model;
    if (of_model != project) {
      return Fail(ErrorCode::kPermissionDenied,
                  "model '" + model +
                      "' belongs to another project than the endpoint; an endpoint serves "
                      "models of its own project only");
    }
  }
  return project == 0 ? kDefaultProjectId : project;
}

}  // namespace

void AddEndpointRoutes(http::Router& router, serve::EndpointService& endpoints,
                       serve::PredictionLog& log, serve::BatchPredictionService& batch,
                       ProjectGate& gate) {
  router.Add({"POST", "/api/v1/batch-predictions", Access::kUser, BodyMode::kBuffered,
              [&batch, &gate](http::Request& request) {
                if (auto flat = data::CheckJsonDepth(request.body); !flat) {
                  return ErrorOf(flat.error());
                }
                json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
                // The job runs, and its output joins, in the endpoint's project; the input
                // dataset may be any the caller can read.
                int64_t project = kDefaultProjectId;
                if (body.is_object() && body.value("endpoint", json()).is_string()) {
                  auto of_endpoint = gate.Require(
                      request.principal, store::ProjectResource::kEndpoint,
                      body["endpoint"].get<std::string>(), store::ProjectRole::kEditor);
                  if (!of_endpoint) return ErrorOf(of_endpoint.error());
                  if (*of_endpoint != 0) project = *of_endpoint;
                }
                if (body.is_object() && body.value("dataset", json()).is_string()) {
                  const std::string dataset = body["dataset"].get<std::string>();
                  auto readable = gate.Require(request.principal, store::ProjectResource::kDataset,
                                               dataset.substr(0, dataset.find('@')),
                                               store::ProjectRole::kViewer);
                  if (!readable) return ErrorOf(readable.error());
                }
                ProjectScope scope(project);
                auto job = batch.Start(body);
                return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
              }});
  router.Add({"GET", "/api/v1/endpoints", Access::kUser, BodyMode::kBuffered,
              [&endpoints, &gate](http::Request& request) {
                auto readable = gate.Readable(request.principal, request.Query("project"));
                if (!readable) return ErrorOf(readable.error());
                json items = json::array();
                for (const auto& status : endpoints.List()) {
                  if (ProjectGate::Shows(*readable, status.record.project_id)) {
                    items.push_back(EndpointJson(status));
                  }
                }
                return JsonResponse(200, {{"endpoints", items}});
              }});
  router.Add({"POST", "/api/v1/endpoints", Access::kUser, BodyMode::kBuffered,
              [&endpoints, &gate](http::Request& request) {
                auto record = RecordOf(request, "");
                if (!record) return ErrorOf(record.error());
                auto project = ModelsProject(gate, request.principal, *record, 0);
                if (!project) return ErrorOf(project.error());
                ProjectScope scope(*project);
                auto status = endpoints.Deploy(*record);
                if (!status) return ErrorOf(status.error());
                return JsonResponse(201, EndpointJson(*status));
              }});
  router.Add({"GET", "/api/v1/endpoints/{name}", Access::kUser, BodyMode::kBuffered,
              [&endpoints](http::Request& request) {
                auto status = endpoints.Get(request.params.at("name"));
                if (!status) return ErrorOf(status.error());
                return JsonResponse(200, EndpointJson(*status));
              }});
  router.Add({"PUT", "/api/v1/endpoints/{name}", Access::kUser, BodyMode::kBuffered,
              [&endpoints, &gate](http::Request& request) {
                auto record = RecordOf(request, request.params.at("name"));
                if (!record) return ErrorOf(record.error());
                auto current = endpoints.Get(record->name);
                if (!current) return ErrorOf(current.error());
                auto project =
                    ModelsProject(gate, request.principal, *record, current->record.project_id);
                if (!project) return ErrorOf(project.error());
                auto status = endpoints.Update(*record);
                if (!status) return ErrorOf(status.error());
                return JsonResponse(200, EndpointJson(*status));
              }});
  router.Add({"DELETE", "/api/v1/endpoints/{name}", Access::kUser, BodyMode::kBuffered,
              [&endpoints](http::Request& request) {
                auto deleted = endpoints.Delete(request.params.at("name"));
                if (!deleted) return ErrorOf(deleted.error());
                return NoContent();
              }});
  // Predictions wait for batch-mates when batching is on: then not on the io threads.
  http::Route predict{"POST", "/api/v1/endpoints/{name}/predict", Access::kPredict,
                      BodyMode::kBuffered,
                      [&endpoints](http::Request& request) { return Predict(endpoints, request); }};
  router.Add(endpoints.batching() ? predict : http::Quick(predict));
  router.Add({"POST", "/api/v1/endpoints/{name}/feedback", Access::kPredict, BodyMode::kBuffered,
              [&endpoints](http::Request& request) {
                if (auto flat = data::CheckJsonDepth(request.body); !flat) {
                  return ErrorOf(flat.error());
                }
                json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
                if (!body.is_object() || !body.value("id", json()).is_string()) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "send {\"id\":\"<a prediction's id>\",\"truth\":\"good\"}"});
                }
                auto given = endpoints.Feedback(request.params.at("name"), body["id"],
                                                body.value("truth", json()));
                if (!given) return ErrorOf(given.error());
                return JsonResponse(202, {{"accepted", true}});
              }});
  router.Add({"GET", "/api/v1/endpoints/{name}/quality", Access::kUser, BodyMode::kBuffered,
              [&endpoints, &log](http::Request& request) {
                const std::string name = request.params.at("name");
                if (auto status = endpoints.Get(name); !status) return ErrorOf(status.error());
                auto quality = log.Quality(name);
                if (!quality) return ErrorOf(quality.error());
                return JsonResponse(200, *quality);
              }});
  // Counters since the server started; the console polls them and plots the differences.
  router.Add({"GET", "/api/v1/endpoints/{name}/stats", Access::kUser, BodyMode::kBuffered,
              [&endpoints](http::Request& request) {
                const std::string name = request.params.at("name");
                auto traffic = endpoints.Traffic(name);
                if (!traffic) return ErrorOf(traffic.error());
                json versions = json::array();
                for (const auto& one : *traffic) {
                  versions.push_back({{"model", one.model},
                                      {"shadow", one.shadow},
                                      {"requests", one.requests},
                                      {"errors", one.errors},
                                      {"latency_seconds",
                                       {{"bounds", one.latency_bounds},
                                        {"cumulative_counts", one.latency.cumulative_counts},
                                        {"count", one.latency.count},
                                        {"sum", one.latency.sum}}}});
                }
                const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch());
                return JsonResponse(
                    200,
                    {{"endpoint", name}, {"at", IsoTime(now.count())}, {"versions", versions}});
              }});
}

}  // namespace aimass::api
