// /api/2.0/mlflow/...: the part of MLflow 2.x's model registry REST API that lets MLflow
// clients list, read, tag and alias aimass models (docs/api.md, "MLflow-compatible API").
// Requests and answers have MLflow's shapes; errors are {"error_code","message"}.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/routes.h"
#include "data/json_depth.h"
#include "http/response.h"
#include "registry/model_filter.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

constexpr const char* kPrefix = "/api/2.0/mlflow/";

http::Response MlflowError(int status, std::string_view code, const std::string& message) {
  return JsonResponse(status, {{"error_code", std::string(code)}, {"message", message}});
}

http::Response MlflowError(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound:
      return MlflowError(404, "RESOURCE_DOES_NOT_EXIST", error.message);
    case ErrorCode::kInvalidArgument:
      return MlflowError(400, "INVALID_PARAMETER_VALUE", error.message);
    case ErrorCode::kConflict:
      return MlflowError(409, "INVALID_STATE", error.message);
    case ErrorCode::kPermissionDenied:
      return MlflowError(403, "PERMISSION_DENIED", error.message);
    default:
      return MlflowError(500, "INTERNAL_ERROR", error.message);
  }
}

// MLflow clients send a GET's parameters in the query and other requests' as a JSON body;
// both are read for every method.
Result<json> ParamsOf(const http::Request& request) {
  json params = json::object();
  for (const auto& [key, value] : request.query) params[key] = value;
  if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    AIMASS_RETURN_IF_ERROR(data::CheckJsonDepth(request.body));
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) {
      return Fail(ErrorCode::kInvalidArgument, "the request body must be a JSON object");
    }
    for (const auto& [key, value] : body.items()) params[key] = value;
  }
  return params;
}

Result<std::string> TextParam(const json& params, const char* key) {
  if (!params.contains(key) || !params[key].is_string() || params[key].get<std::string>().empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("Missing value for required parameter '") + key + "'");
  }
  return params[key].get<std::string>();
}

// A whole number sent as a JSON number or as text (query parameters are text).
Result<int64_t> NumberParam(const json& params, const char* key, int64_t fallback) {
  if (!params.contains(key)) return fallback;
  const json& value = params[key];
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && end == text.data() + text.size()) return number;
  }
  return Fail(ErrorCode::kInvalidArgument,
              std::string("parameter '") + key + "' must be a whole number, not " + value.dump());
}

Result<int64_t> VersionParam(const json& params) {
  AIMASS_ASSIGN_OR_RETURN(int64_t version, NumberParam(params, "version", 0));
  if (version < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "parameter 'version' must be a model version number from 1");
  }
  return version;
}

// Where a client can fetch a version's files: its bundle on this server.
std::string SourceOf(const http::Request& request, const store::ModelVersionRecord& v) {
  std::string host = request.Header("Host");
  return (host.empty() ? "" : "http://" + host) + "/api/v1/models/" + v.model_name + "/versions/" +
         std::to_string(v.version) + "/bundle";
}

json ModelVersionJson(const http::Request& request, const store::ModelVersionRecord& v) {
  return {{"name", v.model_name},
          {"version", std::to_string(v.version)},
          {"creation_timestamp", v.created_at},
          {"last_updated_timestamp", v.created_at},
          {"user_id", ""},
          {"current_stage", "None"},
          {"description", v.description},
          {"source", SourceOf(request, v)},
          {"run_id", ""},
          {"run_link", ""},
          {"status", "READY"},
          {"status_message", ""},
          {"tags", json::array()},
          {"aliases", v.aliases}};
}

json RegisteredModelJson(registry::RegistryService& registry, const http::Request& request,
                         const store::ModelRecord& m) {
  json tags = json::array();
  for (const auto& [key, value] : m.tags) tags.push_back({{"key", key}, {"value", value}});
  json aliases = json::array();
  for (const auto& [alias, version] : m.aliases) {
    aliases.push_back({{"alias", alias}, {"version", std::to_string(version)}});
  }
  json latest = json::array();  // the newest version of the one stage there is, "None"
  if (m.latest_version != 0) {
    if (auto v = registry.Version({m.name, m.latest_version, ""})) {
      latest.push_back(ModelVersionJson(request, *v));
    }
  }
  return {{"name", m.name},
          {"creation_timestamp", m.created_at},
          {"last_updated_timestamp", m.updated_at},
          {"user_id", ""},
          {"description", m.description},
          {"latest_versions", latest},
          {"tags", tags},
          {"aliases", aliases}};
}

// A search filter in MLflow's syntax: clauses joined by AND, each `name = 'x'`,
// `name LIKE 'pattern'` (or ILIKE) or `tags.KEY = 'value'`.
Result<store::ModelFilter> ParseFilter(const std::string& text) {
  store::ModelFilter filter;
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                "filter \"" + text +
                    "\" is not supported; use clauses like name = 'x', "
                    "name LIKE '%x%' or tags.team = 'risk', joined by AND");
  };
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  auto word = [&] {
    size_t start = i;
    while (i < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' || text[i] == '.' ||
            text[i] == '-' || text[i] == '`')) {
      ++i;
    }
    return text.substr(start, i - start);
  };
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  while (true) {
    skip_spaces();
    if (i >= text.size()) break;
    std::string key = word();
    skip_spaces();
    std::string op = text.substr(i, 1) == "=" ? "=" : upper(word());
    if (op == "=") ++i;
    skip_spaces();
    if (i >= text.size() || (text[i] != '\'' && text[i] != '"')) return bad();
    size_t close = text.find(text[i], i + 1);
    if (close == std::string::npos) return bad();
    std::string value = text.substr(i + 1, close - i - 1);
    i = close + 1;
    if (key == "name" && op == "=") {
      filter.name = value;
    } else if (key == "name" && (op == "LIKE" || op == "ILIKE")) {
      filter.name_like = value;
    } else if (key.starts_with("tags.") && op == "=") {
      std::string tag = key.substr(5);
      tag.erase(std::remove(tag.begin(), tag.end(), '`'), tag.end());
      filter.tags[tag] = value;
    } else {
      return bad();
    }
    skip_spaces();
    if (i >= text.size()) break;
    if (upper(word()) != "AND") return bad();
  }
  return filter;
}

// max_results and page_token (an offset, as text) of a search.
Result<std::pair<int64_t, int64_t>> PageOf(const json& params, int64_t fallback, int64_t most) {
  AIMASS_ASSIGN_OR_RETURN(int64_t max_results, NumberParam(params, "max_results", fallback));
  if (max_results < 1 || max_results > most) {
    return Fail(ErrorCode::kInvalidArgument,
                "max_results must be between 1 and " + std::to_string(most));
  }
  json token = params.value("page_token", json(""));
  json offset_param = {
      {"offset", token.is_string() && token.get<std::string>().empty() ? json("0") : token}};
  AIMASS_ASSIGN_OR_RETURN(int64_t offset, NumberParam(offset_param, "offset", 0));
  if (offset < 0) return Fail(ErrorCode::kInvalidArgument, "page_token is not valid");
  return std::pair(max_results, offset);
}

// The projects a caller may list models of (ProjectGate::Readable; nullopt: all).
using Readable = std::optional<std::vector<int64_t>>;
using MlflowHandler = Result<json> (*)(registry::RegistryService&, const http::Request&,
                                       const json& params, const Readable& readable);

Result<json> SearchModels(registry::RegistryService& registry, const http::Request& request,
                          const json& params, const Readable& readable) {
  AIMASS_ASSIGN_OR_RETURN(store::ModelFilter filter, ParseFilter(params.value("filter", "")));
  AIMASS_ASSIGN_OR_RETURN(auto page, PageOf(params, 100, 1000));
  filter.limit = page.first + 1;  // one more tells whether there is a next page
  filter.offset = page.second;
  filter.projects = readable;
  AIMASS_ASSIGN_OR_RETURN(auto models, registry.Search(filter));
  json answer = {{"registered_models", json::array()}};
  for (size_t i = 0; i < models.size() && static_cast<int64_t>(i) < page.first; ++i) {
    answer["registered_models"].push_back(RegisteredModelJson(registry, request, models[i]));
  }
  if (static_cast<int64_t>(models.size()) > page.first) {
    answer["next_page_token"] = std::to_string(page.second + page.first);
  }
  return answer;
}

Result<json> SearchVersions(registry::RegistryService& registry, const http::Request& request,
                            const json& params, const Readable& readable) {
  AIMASS_ASSIGN_OR_RETURN(store::ModelFilter filter, ParseFilter(params.value("filter", "")));
  if (!filter.tags.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "model versions have no tags to filter on here");
  }
  AIMASS_ASSIGN_OR_RETURN(auto page, PageOf(params, 10000, 200000));
  filter.limit = 1000;
  filter.projects = readable;
  std::vector<store::ModelVersionRecord> versions;
  for (filter.offset = 0;; filter.offset += filter.limit) {
    AIMASS_ASSIGN_OR_RETURN(auto models, registry.Search(filter));
    for (const auto& model : models) {
      AIMASS_ASSIGN_OR_RETURN(auto list, registry.Versions(model.name));
      versions.insert(versions.end(), list.rbegin(), list.rend());  // newest first
    }
    if (static_cast<int64_t>(models.size()) < filter.limit) break;
  }
  json answer = {{"model_versions", json::array()}};
  const size_t first = static_cast<size_t>(std::min<int64_t>(page.second, versions.size()));
  const size_t end = std::min(versions.size(), first + static_cast<size_t>(page.first));
  for (size_t i = first; i < end; ++i) {
    answer["model_versions"].push_back(ModelVersionJson(request, versions[i]));
  }
  if (end < versions.size()) answer["next_page_token"] = std::to_string(end);
  return answer;
}

Result<json> CreateModel(registry::RegistryService& registry, const http::Request& request,
                         const json& params, const Readable&) {
  store::NewModel model;
  AIMASS_ASSIGN_OR_RETURN(model.name, TextParam(params, "name"));
  model.description = params.value("description", "");
  for (const json& tag : params.value("tags", json::array())) {
    if (!tag.is_object() || !tag.value("key", json()).is_string()) {
      return Fail(ErrorCode::kInvalidArgument, "tags must be a list of {\"key\",\"value\"}");
    }
    model.tags[tag["key"].get<std::string>()] = tag.value("value", "");
  }
  AIMASS_ASSIGN_OR_RETURN(auto created, registry.CreateModel(model));
  return json{{"registered_model", RegisteredModelJson(registry, request, created)}};
}

Result<json> GetModel(registry::RegistryService& registry, const http::Request& request,
                      const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(auto model, registry.Get(name));
  return json{{"registered_model", RegisteredModelJson(registry, request, model)}};
}

Result<json> UpdateModel(registry::RegistryService& registry, const http::Request& request,
                         const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(auto model, params.contains("description")
                                          ? registry.Describe(name, params.value("description", ""))
                                          : registry.Get(name));
  return json{{"registered_model", RegisteredModelJson(registry, request, model)}};
}

Result<json> DeleteModel(registry::RegistryService& registry, const http::Request&,
                         const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_RETURN_IF_ERROR(registry.DeleteModel(name));
  return json::object();
}

Result<json> LatestVersions(registry::RegistryService& registry, const http::Request& request,
                            const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(auto model, registry.Get(name));
  json stages = params.value("stages", json::array());
  if (stages.is_string()) stages = json::array({stages});
  bool wants_none = stages.empty() || std::any_of(stages.begin(), stages.end(), [](const json& s) {
                      return s.is_string() && s.get<std::string>() == "None";
                    });
  json answer = {{"model_versions", json::array()}};
  if (wants_none && model.latest_version != 0) {
    AIMASS_ASSIGN_OR_RETURN(auto latest, registry.Version({name, model.latest_version, ""}));
    answer["model_versions"].push_back(ModelVersionJson(request, latest));
  }
  return answer;
}

Result<json> GetVersion(registry::RegistryService& registry, const http::Request& request,
                        const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(int64_t version, VersionParam(params));
  AIMASS_ASSIGN_OR_RETURN(auto found, registry.Version({name, version, ""}));
  return json{{"model_version", ModelVersionJson(request, found)}};
}

Result<json> DeleteVersion(registry::RegistryService& registry, const http::Request&,
                           const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(int64_t version, VersionParam(params));
  AIMASS_RETURN_IF_ERROR(registry.DeleteVersion({name, version, ""}));
  return json::object();
}

Result<json> DownloadUri(registry::RegistryService& registry, const http::Request& request,
                         const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(int64_t version, VersionParam(params));
  AIMASS_ASSIGN_OR_RETURN(auto found, registry.Version({name, version, ""}));
  return json{{"artifact_uri", SourceOf(request, found)}};
}

Result<json> SetAlias(registry::RegistryService& registry, const http::Request&, const json& params,
                      const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(std::string alias, TextParam(params, "alias"));
  AIMASS_ASSIGN_OR_RETURN(int64_t version, VersionParam(params));
  AIMASS_RETURN_IF_ERROR(registry.SetAlias(name, alias, version));
  return json::object();
}

Result<json> DeleteAlias(registry::RegistryService& registry, const http::Request&,
                         const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(std::string alias, TextParam(params, "alias"));
  AIMASS_RETURN_IF_ERROR(registry.DeleteAlias(name, alias));
  return json::object();
}

Result<json> VersionByAlias(registry::RegistryService& registry, const http::Request& request,
                            const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(std::string alias, TextParam(params, "alias"));
  AIMASS_ASSIGN_OR_RETURN(auto found, registry.Version({name, 0, alias}));
  return json{{"model_version", ModelVersionJson(request, found)}};
}

Result<json> SetTag(registry::RegistryService& registry, const http::Request&, const json& params,
                    const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(std::string key, TextParam(params, "key"));
  if (!params.value("value", json("")).is_string()) {
    return Fail(ErrorCode::kInvalidArgument, "parameter 'value' must be a string");
  }
  AIMASS_RETURN_IF_ERROR(registry.SetTag(name, key, params.value("value", "")));
  return json::object();
}

Result<json> DeleteTag(registry::RegistryService& registry, const http::Request&,
                       const json& params, const Readable&) {
  AIMASS_ASSIGN_OR_RETURN(std::string name, TextParam(params, "name"));
  AIMASS_ASSIGN_OR_RETURN(std::string key, TextParam(params, "key"));
  AIMASS_RETURN_IF_ERROR(registry.DeleteTag(name, key));
  return json::object();
}

// The model a call names must belong to a project where the caller has the role the call
// needs; a model the call creates joins the project "default" (MLflow knows no projects).
Result<Readable> CheckProject(ProjectGate& gate, const http::Request& request, const json& params,
                              bool creates) {
  const auto needed =
      request.method == "GET" ? store::ProjectRole::kViewer : store::ProjectRole::kEditor;
  const json name = params.value("name", json());
  if (name.is_string()) {
    AIMASS_ASSIGN_OR_RETURN(int64_t project,
                            gate.Require(request.principal, store::ProjectResource::kModel,
                                         name.get<std::string>(), needed));
    if (project == 0 && creates) {
      AIMASS_RETURN_IF_ERROR(gate.Named(request.principal, "", needed));
    }
  }
  return gate.Readable(request.principal, "");
}

}  // namespace

void AddMlflowRoutes(http::Router& router, registry::RegistryService& registry, ProjectGate& gate) {
  auto route = [&](const char* method, const char* path, MlflowHandler handle) {
    router.Add({method, std::string(kPrefix) + path, Access::kUser, BodyMode::kBuffered,
                [&registry, &gate, handle](http::Request& request) {
                  auto params = ParamsOf(request);
                  if (!params) return MlflowError(params.error());
                  auto readable = CheckProject(gate, request, *params, handle == CreateModel);
                  if (!readable) return MlflowError(readable.error());
                  auto answer = handle(registry, request, *params, *readable);
                  if (answer) return JsonResponse(200, *answer);
                  // MLflow names a duplicate model RESOURCE_ALREADY_EXISTS (with 400).
                  if (answer.error().code == ErrorCode::kConflict && handle == CreateModel) {
                    return MlflowError(400, "RESOURCE_ALREADY_EXISTS", answer.error().message);
                  }
                  return MlflowError(answer.error());
                }});
  };
  route("POST", "registered-models/create", CreateModel);
  route("GET", "registered-models/get", GetModel);
  route("GET", "registered-models/search", SearchModels);
  route("PATCH", "registered-models/update", UpdateModel);
  route("DELETE", "registered-models/delete", DeleteModel);
  route("POST", "registered-models/get-latest-versions", LatestVersions);
  route("GET", "registered-models/get-latest-versions", LatestVersions);
  route("POST", "registered-models/alias", SetAlias);
  route("DELETE", "registered-models/alias", DeleteAlias);
  route("GET", "registered-models/alias", VersionByAlias);
  route("POST", "registered-models/set-tag", SetTag);
  route("DELETE", "registered-models/delete-tag", DeleteTag);
  route("GET", "model-versions/get", GetVersion);
  route("GET", "model-versions/search", SearchVersions);
  route("GET", "model-versions/get-download-uri", DownloadUri);
  route("DELETE", "model-versions/delete", DeleteVersion);
}

}  // namespace aimass::api
