// /api/v1/pipelines (apply YAML, list, show, delete, run, webhook token), the public webhook
// trigger, /api/v1/pipeline-runs/{id} (show, cancel, rerun) and /api/v1/pipeline-step-types.
// Who may reach a pipeline or a run is ProjectGate's: viewers read, editors change and run.
#include "api/json_views.h"
#include "api/routes.h"
#include "common/actor.h"
#include "common/project_scope.h"
#include "common/time_format.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;
using store::ProjectResource;

namespace {

json TimeOrNull(const std::optional<int64_t>& millis) {
  return millis ? json(IsoTime(*millis)) : json(nullptr);
}

json PipelineJson(const store::PipelineRecord& pipeline) {
  return {{"name", pipeline.name},
          {"project", pipeline.project},
          {"version", pipeline.version},
          {"webhook", pipeline.has_webhook_token},
          {"created_at", IsoTime(pipeline.created_at)},
          {"updated_at", IsoTime(pipeline.updated_at)}};
}

json StepJson(const store::PipelineStepRecord& step) {
  json outputs = json::parse(step.outputs_json, nullptr, false);
  json inputs = json::parse(step.inputs_json, nullptr, false);
  const json seconds = step.started_at && step.finished_at
                           ? json((*step.finished_at - *step.started_at) / 1000.0)
                           : json(nullptr);
  return {{"name", step.name},
          {"type", step.type},
          {"state", store::StepStateName(step.state)},
          {"attempt", step.attempt},
          {"job", step.job_id ? json(*step.job_id) : json(nullptr)},
          {"cached_from_run", step.cached_from ? json(*step.cached_from) : json(nullptr)},
          {"inputs", inputs.is_discarded() ? json::object() : inputs},
          {"outputs", outputs.is_discarded() ? json::object() : outputs},
          {"log", step.log},
          {"error", step.error},
          {"retry_at", TimeOrNull(step.retry_at)},
          {"started_at", TimeOrNull(step.started_at)},
          {"finished_at", TimeOrNull(step.finished_at)},
          {"seconds", seconds}};
}

json RunJson(const store::PipelineRunRecord& run) {
  json detail = json::parse(run.trigger_detail_json, nullptr, false);
  json answer = {{"id", run.id},
                 {"pipeline", run.pipeline},
                 {"version", run.version},
                 {"state", store::RunStateName(run.state)},
                 {"trigger", run.trigger},
                 {"trigger_detail", detail.is_discarded() ? json::object() : detail},
                 {"rerun_of", run.rerun_of ? json(*run.rerun_of) : json(nullptr)},
                 {"created_by", run.created_by},
                 {"error", run.error},
                 {"created_at", IsoTime(run.created_at)},
                 {"started_at", TimeOrNull(run.started_at)},
                 {"finished_at", TimeOrNull(run.finished_at)}};
  if (!run.steps.empty()) {
    json steps = json::array();
    for (const auto& step : run.steps) steps.push_back(StepJson(step));
    answer["steps"] = std::move(steps);
  }
  return answer;
}

// The YAML of an apply: the body as sent, or {"yaml": "..."} as JSON.
Result<std::string> YamlOf(const http::Request& request) {
  if (request.Header("Content-Type").starts_with("application/json")) {
    auto body = ObjectBody(request, R"({"yaml":"name: ...\nsteps: ..."})");
    if (!body) return Fail(body.error());
    if (!body->value("yaml", json()).is_string()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "send the pipeline as YAML (Content-Type: application/yaml), or as JSON "
                  "{\"yaml\": \"...\"}");
    }
    return (*body)["yaml"].get<std::string>();
  }
  return request.body;
}

class PipelineRoutes {
 public:
  PipelineRoutes(pipelines::PipelineService& pipelines, store::MetadataStore& store,
                 ProjectGate& gate)
      : pipelines_(pipelines), store_(store), gate_(gate) {}

  http::Response Apply(const http::Request& request) {
    auto yaml = YamlOf(request);
    if (!yaml) return ErrorOf(yaml.error());
    auto spec = pipelines_.Check(*yaml);
    if (!spec) return ErrorOf(spec.error());
    if (request.Query("dry_run") == "true") {
      return JsonResponse(200, {{"valid", true}, {"spec", pipelines::SpecToJson(*spec)}});
    }
    auto project = gate_.Into(request.principal, ProjectResource::kPipeline, spec->name,
                              request.Query("project"));
    if (!project) return ErrorOf(project.error());
    ProjectScope scope(*project);
    auto applied = pipelines_.Apply(*yaml);
    if (!applied) return ErrorOf(applied.error());
    json answer = PipelineJson(applied->pipeline);
    answer["changed"] = applied->changed;
    answer["spec"] = json::parse(applied->version.spec_json, nullptr, false);
    if (!applied->webhook_token.empty()) {
      answer["webhook_token"] = applied->webhook_token;
      answer["webhook_url"] = "/api/v1/pipelines/" + applied->pipeline.name + "/webhook";
    }
    return JsonResponse(applied->changed ? 201 : 200, answer);
  }

  http::Response List(const http::Request& request) {
    auto readable = gate_.Readable(request.principal, request.Query("project"));
    if (!readable) return ErrorOf(readable.error());
    auto list = store_.ListPipelines(*readable);
    if (!list) return ErrorOf(list.error());
    json pipelines = json::array();
    for (const auto& pipeline : *list) {
      json item = PipelineJson(pipeline);
      store::PipelineRunFilter filter;
      filter.pipeline_id = pipeline.id;
      filter.limit = 1;
      auto runs = store_.ListPipelineRuns(filter);
      item["last_run"] = runs && !runs->empty() ? RunJson(runs->front()) : json(nullptr);
      pipelines.push_back(std::move(item));
    }
    return JsonResponse(200, {{"pipelines", pipelines}});
  }

  http::Response Show(const http::Request& request) {
    auto pipeline = store_.GetPipeline(request.params.at("name"));
    if (!pipeline) return ErrorOf(pipeline.error());
    const std::string selector = request.params.count("v") ? request.params.at("v") : "";
    auto number = ParseCount(selector == "latest" ? "" : selector, "version", 0);
    if (!number) return ErrorOf(number.error());
    auto version = store_.GetPipelineVersion(pipeline->id, *number);
    if (!version) return ErrorOf(version.error());
    json answer = PipelineJson(*pipeline);
    answer["shown_version"] = version->version;
    answer["yaml"] = version->yaml;
    answer["spec"] = json::parse(version->spec_json, nullptr, false);
    answer["applied_by"] = version->created_by;
    answer["applied_at"] = IsoTime(version->created_at);
    return JsonResponse(200, answer);
  }

  http::Response Runs(const http::Request& request) {
    auto pipeline = store_.GetPipeline(request.params.at("name"));
    if (!pipeline) return ErrorOf(pipeline.error());
    store::PipelineRunFilter filter;
    filter.pipeline_id = pipeline->id;
    auto limit = ParseCount(request.Query("limit"), "limit", 50);
    if (!limit) return ErrorOf(limit.error());
    filter.limit = std::min<int64_t>(*limit, 1000);
    if (const std::string state = request.Query("state"); !state.empty()) {
      auto parsed = store::ParseRunState(state);
      if (!parsed) {
        return ErrorOf({ErrorCode::kInvalidArgument,
                        "state must be queued, running, succeeded, failed or cancelled"});
      }
      filter.states = {*parsed};
    }
    auto runs = store_.ListPipelineRuns(filter);
    if (!runs) return ErrorOf(runs.error());
    json list = json::array();
    for (const auto& run : *runs) list.push_back(RunJson(run));
    return JsonResponse(200, {{"runs", list}});
  }

  http::Response Fire(const http::Request& request, const std::string& trigger) {
    auto pipeline = store_.GetPipeline(request.params.at("name"));
    if (!pipeline) return ErrorOf(pipeline.error());
    auto run = pipelines_.runner().Fire(*pipeline, trigger, json::object());
    return run ? JsonResponse(201, RunJson(*run)) : ErrorOf(run.error());
  }

  http::Response Webhook(const http::Request& request) {
    const std::string& name = request.params.at("name");
    auto pipeline = pipelines_.CheckWebhookToken(name, request.Header("X-Aimass-Webhook-Token"));
    if (!pipeline) return ErrorOf(pipeline.error());
    ActorScope actor("pipeline " + name + " (webhook)");
    auto run = pipelines_.runner().Fire(*pipeline, "webhook", json::object());
    return run ? JsonResponse(202, {{"run", run->id}, {"state", store::RunStateName(run->state)}})
               : ErrorOf(run.error());
  }

  http::Response ShowRun(const http::Request& request) {
    auto id = ParseCount(request.params.at("id"), "run id", 0);
    if (!id) return ErrorOf(id.error());
    auto run = store_.GetPipelineRun(*id);
    return run ? JsonResponse(200, RunJson(*run)) : ErrorOf(run.error());
  }

  http::Response Cancel(const http::Request& request) {
    auto id = ParseCount(request.params.at("id"), "run id", 0);
    if (!id) return ErrorOf(id.error());
    if (auto cancelled = pipelines_.runner().Cancel(*id); !cancelled) {
      return ErrorOf(cancelled.error());
    }
    auto run = store_.GetPipelineRun(*id);
    return run ? JsonResponse(200, RunJson(*run)) : ErrorOf(run.error());
  }

  http::Response Rerun(const http::Request& request) {
    auto id = ParseCount(request.params.at("id"), "run id", 0);
    if (!id) return ErrorOf(id.error());
    auto run = pipelines_.runner().Rerun(*id);
    return run ? JsonResponse(201, RunJson(*run)) : ErrorOf(run.error());
  }

  http::Response StepTypes() {
    json types = json::array();
    for (const std::string& name : pipelines_.types().Names()) {
      const pipelines::StepType* type = pipelines_.types().Find(name);
      json params = json::array();
      for (const auto& param : type->params()) {
        params.push_back({{"name", param.name},
                          {"type", pipelines::ValueTypeName(param.type)},
                          {"required", param.required},
                          {"help", param.help}});
      }
      json outputs = json::array();
      for (const auto& output : type->outputs()) {
        outputs.push_back({{"name", output.name},
                           {"type", pipelines::ValueTypeName(output.type)},
                           {"help", output.help}});
      }
      types.push_back({{"name", name},
                       {"help", type->help()},
                       {"cacheable", type->cacheable()},
                       {"params", params},
                       {"outputs", outputs}});
    }
    return JsonResponse(200, {{"step_types", types}});
  }

  pipelines::PipelineService& pipelines_;
  store::MetadataStore& store_;
  ProjectGate& gate_;
};

}  // namespace

void AddPipelineRoutes(http::Router& router, pipelines::PipelineService& pipelines,
                       store::MetadataStore& store, ProjectGate& gate) {
  auto routes = std::make_shared<PipelineRoutes>(pipelines, store, gate);
  auto add = [&](const char* method, const char* pattern, Access access, auto handle) {
    router.Add({method, pattern, access, BodyMode::kBuffered,
                [routes, handle](http::Request& request) { return handle(*routes, request); }});
  };
  add("GET", "/api/v1/pipelines", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.List(q); });
  add("POST", "/api/v1/pipelines", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Apply(q); });
  add("GET", "/api/v1/pipeline-step-types", Access::kUser,
      [](PipelineRoutes& r, http::Request&) { return r.StepTypes(); });
  add("GET", "/api/v1/pipelines/{name}", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Show(q); });
  add("GET", "/api/v1/pipelines/{name}/versions/{v}", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Show(q); });
  add("DELETE", "/api/v1/pipelines/{name}", Access::kUser,
      [&pipelines](PipelineRoutes&, http::Request& q) {
        auto deleted = pipelines.Delete(q.params.at("name"));
        return deleted ? NoContent() : ErrorOf(deleted.error());
      });
  add("GET", "/api/v1/pipelines/{name}/runs", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Runs(q); });
  add("POST", "/api/v1/pipelines/{name}/runs", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Fire(q, "manual"); });
  add("POST", "/api/v1/pipelines/{name}/webhook-token", Access::kUser,
      [&pipelines](PipelineRoutes&, http::Request& q) {
        auto token = pipelines.NewWebhookToken(q.params.at("name"));
        return token ? JsonResponse(201, {{"webhook_token", *token}}) : ErrorOf(token.error());
      });
  add("POST", "/api/v1/pipelines/{name}/webhook", Access::kPublic,
      [](PipelineRoutes& r, http::Request& q) { return r.Webhook(q); });
  add("GET", "/api/v1/pipeline-runs/{id}", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.ShowRun(q); });
  add("POST", "/api/v1/pipeline-runs/{id}/cancel", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Cancel(q); });
  add("POST", "/api/v1/pipeline-runs/{id}/rerun", Access::kUser,
      [](PipelineRoutes& r, http::Request& q) { return r.Rerun(q); });
}

}  // namespace aimass::api
