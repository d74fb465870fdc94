// /api/v1/models: the model registry over HTTP — models, versions, aliases, tags, bundle
// export and import, member downloads.
#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "common/project_scope.h"
#include "http/response.h"
#include "registry/model_filter.h"
#include "registry/model_json.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;
using registry::ModelJson;
using registry::ModelVersionDetailJson;
using registry::ModelVersionSummaryJson;

namespace {

Result<registry::ModelRef> RefOf(const http::Request& request) {
  auto version = request.params.find("v");
  return registry::ModelRefOf(request.params.at("name"),
                              version == request.params.end() ? "" : version->second);
}

Result<store::ModelFilter> FilterOf(const http::Request& request) {
  store::ModelFilter filter;
  std::string q = request.Query("q");
  if (!q.empty()) filter.name_like = registry::LikeContaining(q);
  AIMASS_ASSIGN_OR_RETURN(filter.tags, registry::ParseTagFilters(request.Query("tag")));
  std::string metric = request.Query("metric");
  if (!metric.empty()) {
    AIMASS_ASSIGN_OR_RETURN(filter.metric, registry::ParseMetricThreshold(metric));
  }
  AIMASS_ASSIGN_OR_RETURN(filter.limit, ParseCount(request.Query("limit"), "limit", 100));
  AIMASS_ASSIGN_OR_RETURN(filter.offset, ParseCount(request.Query("offset"), "offset", 0));
  return filter;
}

// A Model with its newest version's summary.
json ModelWithLatest(registry::RegistryService& registry, const store::ModelRecord& model) {
  json item = ModelJson(model);
  item["latest"] = nullptr;
  if (model.latest_version != 0) {
    if (auto latest = registry.Version({model.name, model.latest_version, ""})) {
      item["latest"] = ModelVersionSummaryJson(*latest);
    }
  }
  return item;
}

http::Response ListModels(registry::RegistryService& registry, ProjectGate& gate,
                          const http::Request& request) {
  auto filter = FilterOf(request);
  if (!filter) return ErrorOf(filter.error());
  auto readable = gate.Readable(request.principal, request.Query("project"));
  if (!readable) return ErrorOf(readable.error());
  filter->projects = *readable;
  auto models = registry.Search(*filter);
  if (!models) return ErrorOf(models.error());
  json items = json::array();
  for (const auto& model : *models) items.push_back(ModelWithLatest(registry, model));
  return JsonResponse(200, {{"models", items}});
}

http::Response CreateModel(registry::RegistryService& registry, ProjectGate& gate,
                           const http::Request& request) {
  constexpr std::string_view kExample =
      R"({"name":"credit_risk","description":"...","tags":{"team":"risk"}})";
  auto body = ObjectBody(request, kExample);
  if (!body) return ErrorOf(body.error());
  store::NewModel model;
  const json& tags = body->value("tags", json::object());
  if (!body->contains("name") || !(*body)["name"].is_string() || !tags.is_object() ||
      !body->value("description", json("")).is_string()) {
    return ErrorOf({ErrorCode::kInvalidArgument, "send JSON like " + std::string(kExample)});
  }
  model.name = (*body)["name"].get<std::string>();
  model.description = body->value("description", "");
  for (const auto& [key, value] : tags.items()) {
    if (!value.is_string()) {
      return ErrorOf({ErrorCode::kInvalidArgument, "tag '" + key + "' must have a string value"});
    }
    model.tags[key] = value.get<std::string>();
  }
  auto project =
      gate.IntoBodyProject(request.principal, store::ProjectResource::kModel, model.name, *body);
  if (!project) return ErrorOf(project.error());
  ProjectScope scope(*project);
  auto created = registry.CreateModel(model);
  return created ? JsonResponse(201, ModelJson(*created)) : ErrorOf(created.error());
}

http::Response ShowModel(registry::RegistryService& registry, const http::Request& request) {
  const std::string& name = request.params.at("name");
  auto model = registry.Get(name);
  if (!model) return ErrorOf(model.error());
  auto versions = registry.Versions(name);
  if (!versions) return ErrorOf(versions.error());
  json answer = ModelJson(*model);
  json list = json::array();
  for (const auto& v : *versions) list.push_back(ModelVersionSummaryJson(v));
  answer["versions"] = list;
  answer["latest"] = versions->empty() ? json(nullptr) : ModelVersionDetailJson(versions->back());
  return JsonResponse(200, answer);
}

http::Response UpdateModel(registry::RegistryService& registry, const http::Request& request) {
  auto body = ObjectBody(request, R"({"description":"scores loan applications"})");
  if (!body) return ErrorOf(body.error());
  if (!body->contains("description") || !(*body)["description"].is_string()) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    "send {\"description\":\"...\"}; the description is the one field to change"});
  }
  auto model = registry.Describe(request.params.at("name"), (*body)["description"]);
  return model ? JsonResponse(200, ModelJson(*model)) : ErrorOf(model.error());
}

http::Response SetAlias(registry::RegistryService& registry, const http::Request& request) {
  auto body = ObjectBody(request, R"({"version":3})");
  if (!body) return ErrorOf(body.error());
  const json& version = body->value("version", json());
  if (!version.is_number_integer()) {
    return ErrorOf({ErrorCode::kInvalidArgument, "send {\"version\":N}, N a version number"});
  }
  const std::string& name = request.params.at("name");
  auto moved = registry.SetAlias(name, request.params.at("alias"), version.get<int64_t>());
  if (!moved) return ErrorOf(moved.error());
  auto model = registry.Get(name);
  return model ? JsonResponse(200, ModelJson(*model)) : ErrorOf(model.error());
}

http::Response SetTag(registry::RegistryService& registry, const http::Request& request) {
  auto body = ObjectBody(request, R"({"value":"risk"})");
  if (!body) return ErrorOf(body.error());
  if (!body->contains("value") || !(*body)["value"].is_string()) {
    return ErrorOf({ErrorCode::kInvalidArgument, "send {\"value\":\"...\"}"});
  }
  auto model = registry.SetTag(request.params.at("name"), request.params.at("key"),
                               (*body)["value"].get<std::string>());
  return model ? JsonResponse(200, ModelJson(*model)) : ErrorOf(model.error());
}

http::Response ImportBundle(registry::RegistryService& registry, ProjectGate& gate,
                            const http::Request& request) {
  if (request.body_size == 0) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    "send the bundle file as the request body (curl --data-binary "
                    "@model.aimass), or use `aimass models import FILE`"});
  }
  // A model named in the bundle alone is checked by the store: it must not be another
  // project's (ProjectScope).
  auto project = request.Query("name").empty()
                     ? gate.Named(request.principal, request.Query("project"),
                                  store::ProjectRole::kEditor)
                     : gate.Into(request.principal, store::ProjectResource::kModel,
                                 request.Query("name"), request.Query("project"));
  if (!project) return ErrorOf(project.error());
  ProjectScope scope(*project);
  auto version =
      registry.Import(request.body_file, {request.Query("name"), request.Query("filename")});
  return version ? JsonResponse(201, ModelVersionDetailJson(*version)) : ErrorOf(version.error());
}

http::Response ExportBundle(registry::RegistryService& registry, const http::Request& request) {
  auto ref = RefOf(request);
  if (!ref) return ErrorOf(ref.error());
  auto bundle = registry.Export(*ref);
  if (!bundle) return ErrorOf(bundle.error());
  http::Response response;
  response.content_type = "application/x-tar";
  response.headers.push_back(
      {"Content-Disposition", "attachment; filename=\"" + bundle->filename + "\""});
  auto plan = std::make_shared<registry::BundlePlan>(std::move(bundle->plan));
  // The members' files (decrypted copies when blobs are encrypted) live as long as the stream.
  response.stream = [plan, files = bundle->files](const http::ChunkWriter& write) -> Status {
    auto written = registry::WriteBundle(*plan, write);
    // A client that stopped reading is not a server error.
    if (!written && written.error().code == ErrorCode::kCancelled) return Ok();
    return written;
  };
  return response;
}

http::Response DownloadMember(registry::RegistryService& registry, const http::Request& request) {
  auto ref = RefOf(request);
  if (!ref) return ErrorOf(ref.error());
  auto member = registry.OpenMember(*ref, request.params.at("member"));
  if (!member) return ErrorOf(member.error());
  std::string filename = std::filesystem::path(member->member.name).filename().string();
  // The response takes the file over: a decrypted copy goes once it is sent.
  const bool scratch = member->file.is_scratch();
  return FileResponse(member->file.Release(), filename, "application/octet-stream", scratch);
}

}  // namespace

void AddModelRoutes(http::Router& router, registry::RegistryService& registry,
                    ProjectGate& gate) {
  using Handle = http::Response (*)(registry::RegistryService&, ProjectGate&,
                                    const http::Request&);
  auto gated = [&](const char* method, const char* pattern, Handle handle,
                   BodyMode body = BodyMode::kBuffered) {
    router.Add({method, pattern, Access::kUser, body,
                [&registry, &gate, handle](http::Request& request) {
                  return handle(registry, gate, request);
                }});
  };
  auto route = [&](const char* method, const char* pattern,
                   http::Response (*handle)(registry::RegistryService&, const http::Request&),
                   BodyMode body = BodyMode::kBuffered) {
    router.Add({method, pattern, Access::kUser, body,
                [&registry, handle](http::Request& request) { return handle(registry, request); }});
  };
  gated("GET", "/api/v1/models", ListModels);
  gated("POST", "/api/v1/models", CreateModel);
  gated("POST", "/api/v1/models/import", ImportBundle, BodyMode::kFile);
  route("GET", "/api/v1/models/{name}", ShowModel);
  route("PATCH", "/api/v1/models/{name}", UpdateModel);
  route("DELETE", "/api/v1/models/{name}", [](auto& registry, const http::Request& request) {
    auto deleted = registry.DeleteModel(request.params.at("name"));
    return deleted ? NoContent() : ErrorOf(deleted.error());
  });
  route("GET", "/api/v1/models/{name}/versions", [](auto& registry, const http::Request& request) {
    auto versions = registry.Versions(request.params.at("name"));
    if (!versions) return ErrorOf(versions.error());
    json list = json::array();
    for (const auto& v : *versions) list.push_back(ModelVersionSummaryJson(v));
    return JsonResponse(200, {{"versions", list}});
  });
  route("GET", "/api/v1/models/{name}/versions/{v}", [](auto& registry, const http::Request& r) {
    auto ref = RefOf(r);
    if (!ref) return ErrorOf(ref.error());
    auto version = registry.Version(*ref);
    return version ? JsonResponse(200, ModelVersionDetailJson(*version)) : ErrorOf(version.error());
  });
  route("DELETE", "/api/v1/models/{name}/versions/{v}", [](auto& registry, const http::Request& r) {
    auto ref = RefOf(r);
    if (!ref) return ErrorOf(ref.error());
    auto deleted = registry.DeleteVersion(*ref);
    return deleted ? NoContent() : ErrorOf(deleted.error());
  });
  route("GET", "/api/v1/models/{name}/versions/{v}/bundle", ExportBundle);
  route("GET", "/api/v1/models/{name}/versions/{v}/members/{member...}", DownloadMember);
  route("PUT", "/api/v1/models/{name}/aliases/{alias}", SetAlias);
  route("DELETE", "/api/v1/models/{name}/aliases/{alias}",
        [](auto& registry, const http::Request& r) {
          auto deleted = registry.DeleteAlias(r.params.at("name"), r.params.at("alias"));
          return deleted ? NoContent() : ErrorOf(deleted.error());
        });
  route("PUT", "/api/v1/models/{name}/tags/{key}", SetTag);
  route("DELETE", "/api/v1/models/{name}/tags/{key}", [](auto& registry, const http::Request& r) {
    auto deleted = registry.DeleteTag(r.params.at("name"), r.params.at("key"));
    return deleted ? NoContent() : ErrorOf(deleted.error());
  });
}

}  // namespace aimass::api
