// The Open Inference Protocol v2 (KServe / Triton) under /v2: server metadata, model
// metadata and readiness, and inference. An OIP "model" is an aimass endpoint; its
// "versions" are the model versions the endpoint has loaded (its model, canary and shadow).
// Payloads are translated by serve/oip_codec.h; errors are the protocol's {"error": "..."}.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "data/json_depth.h"
#include "http/response.h"
#include "serve/oip_codec.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

http::Response OipError(const Error& error) {
  return JsonResponse(HttpStatusFor(error.code), {{"error", error.message}});
}

// The endpoint's deployment, and the loaded version `v` names (its model when empty).
struct Target {
  std::shared_ptr<const serve::Deployment> deployment;
  std::shared_ptr<const serve::LoadedModel> model;
};

Result<Target> FindTarget(serve::EndpointService& endpoints, const http::Request& request) {
  const std::string& name = request.params.at("name");
  AIMASS_ASSIGN_OR_RETURN(auto status, endpoints.Get(name));
  if (!status.deployment) {
    return Fail(ErrorCode::kUnavailable,
                "model '" + name + "' is not ready (" + status.state + ")");
  }
  Target target{status.deployment, status.deployment->model};
  auto v = request.params.find("v");
  if (v == request.params.end()) return target;
  target.model = nullptr;
  for (const auto& loaded :
       {status.deployment->model, status.deployment->canary, status.deployment->shadow}) {
    if (loaded && std::to_string(loaded->version.version) == v->second) target.model = loaded;
  }
  if (!target.model) {
    return Fail(ErrorCode::kNotFound,
                "model '" + name + "' has no version '" + v->second +
                    "' loaded; it serves version " +
                    std::to_string(status.deployment->model->version.version));
  }
  return target;
}

std::vector<std::string> VersionsOf(const serve::Deployment& deployment) {
  std::vector<std::string> out;
  for (const auto& loaded : {deployment.model, deployment.canary, deployment.shadow}) {
    if (!loaded) continue;
    const std::string version = std::to_string(loaded->version.version);
    if (std::find(out.begin(), out.end(), version) == out.end()) out.push_back(version);
  }
  return out;
}

http::Response Metadata(serve::EndpointService& endpoints, http::Request& request) {
  auto target = FindTarget(endpoints, request);
  if (!target) return OipError(target.error());
  const auto& pipeline = *target->model->pipeline;
  const bool one_version = request.params.contains("v");
  return JsonResponse(
      200, serve::ModelMetadata(request.params.at("name"),
                                one_version ? std::vector<std::string>{request.params.at("v")}
                                            : VersionsOf(*target->deployment),
                                pipeline.schema(), pipeline.task(), pipeline.classes()));
}

http::Response Ready(serve::EndpointService& endpoints, http::Request& request) {
  auto target = FindTarget(endpoints, request);
  // The protocol: 200 for ready, a 4xx status for not ready.
  return JsonResponse(target ? 200 : 400,
                      {{"name", request.params.at("name")}, {"ready", target.has_value()}});
}

http::Response Infer(serve::EndpointService& endpoints, http::Request& request) {
  auto target = FindTarget(endpoints, request);
  if (!target) return OipError(target.error());
  if (auto flat = data::CheckJsonDepth(request.body); !flat) return OipError(flat.error());
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return OipError({ErrorCode::kInvalidArgument,
                     "send an inference request: {\"inputs\":[{\"name\":\"age\",\"shape\":[1],"
                     "\"datatype\":\"FP64\",\"data\":[31]}]}"});
  }
  const auto& pipeline = *target->model->pipeline;
  auto input = serve::DecodeInferRequest(body, pipeline.schema(), pipeline.task());
  if (!input) return OipError(input.error());
  const std::string& name = request.params.at("name");
  json predictions = json::array();
  auto answered = target->model;
  if (input->rows > 0) {
    serve::PredictOptions options;
    // A version in the path answers with that version; otherwise the endpoint chooses
    // (its canary split applies).
    if (request.params.contains("v")) options.version = target->model->version.version;
    options.request_id = input->id;
    auto answer = endpoints.Predict(name, std::move(input->records), options);
    if (!answer) return OipError(answer.error());
    predictions = std::move(answer->predictions);
    answered = answer->model;  // the canary's classes may differ from the model's
  }
  const auto& used = *answered->pipeline;
  return JsonResponse(
      200, serve::EncodeInferResponse(predictions, name, std::to_string(answered->version.version),
                                      used.task(), used.classes(), input->id, input->outputs));
}

}  // namespace

void AddOipRoutes(http::Router& router, serve::EndpointService& endpoints,
                  const std::string& version) {
  router.Add({"GET", "/v2", Access::kPublic, BodyMode::kBuffered, [version](http::Request&) {
                return JsonResponse(
                    200, {{"name", "aimass"}, {"version", version}, {"extensions", json::array()}});
              }});
  // Predictions wait for batch-mates when batching is on: then not on the io threads.
  const auto serving = [&endpoints](http::Route route) {
    return endpoints.batching() ? route : http::Quick(std::move(route));
  };
  for (const std::string prefix : {"/v2/models/{name}", "/v2/models/{name}/versions/{v}"}) {
    router.Add({"GET", prefix, Access::kPredict, BodyMode::kBuffered,
                [&endpoints](http::Request& request) { return Metadata(endpoints, request); }});
    router.Add({"GET", prefix + "/ready", Access::kPredict, BodyMode::kBuffered,
                [&endpoints](http::Request& request) { return Ready(endpoints, request); }});
    router.Add(
        serving({"POST", prefix + "/infer", Access::kPredict, BodyMode::kBuffered,
                 [&endpoints](http::Request& request) { return Infer(endpoints, request); }}));
  }
}

}  // namespace aimass::api
