// POST /api/v1/datasets/import-url (a dataset version from an http(s) URL) and the
// admin-managed allow-list of hosts such imports may fetch from, /api/v1/import-hosts.
#include "api/json_views.h"
#include "api/routes.h"
#include "common/project_scope.h"
#include "common/time_format.h"
#include "data/url_fetch.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;

namespace {

json ImportHostJson(const store::ImportHostRecord& host) {
  return {{"host", host.host}, {"added_by", host.added_by}, {"added_at", IsoTime(host.added_at)}};
}

Result<data::UrlImportRequest> UrlImportOf(const http::Request& request) {
  constexpr const char* kExample =
      R"({"url":"https://data.example.com/credit.csv","name":"credit","format":"csv"})";
  AIMASS_ASSIGN_OR_RETURN(json body, ObjectBody(request, kExample));
  for (const char* key : {"url", "name"}) {
    if (!body.contains(key) || !body[key].is_string()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "'" + std::string(key) + "' is missing or not a string; send " + kExample);
    }
  }
  data::UrlImportRequest import;
  import.url = body["url"].get<std::string>();
  import.name = body["name"].get<std::string>();
  if (body.contains("format")) {
    if (!body["format"].is_string()) {
      return Fail(ErrorCode::kInvalidArgument, "'format' must be csv, tsv, jsonl or parquet");
    }
    AIMASS_ASSIGN_OR_RETURN(import.format,
                            data::ParseFileFormat(body["format"].get<std::string>()));
  }
  return import;
}

// A buffered route (built field by field, so a field added to Route later needs no edit).
http::Route RouteOf(const char* method, const char* pattern, Access access, http::Handler handler) {
  http::Route route;
  route.method = method;
  route.pattern = pattern;
  route.access = access;
  route.body = BodyMode::kBuffered;
  route.handler = std::move(handler);
  return route;
}

}  // namespace

void AddImportUrlRoutes(http::Router& router, data::DatasetService& datasets,
                        store::MetadataStore& store, const Clock& clock, ProjectGate& gate) {
  router.Add(RouteOf(
      "POST", "/api/v1/datasets/import-url", Access::kUser,
      [&datasets, &gate](http::Request& request) {
        auto import = UrlImportOf(request);
        if (!import) return ErrorOf(import.error());
        // The body was read once already: its "project" is a string or absent.
        const json body = json::parse(request.body, nullptr, false);
        const json project_name = body.value("project", json(""));
        if (!project_name.is_string()) {
          return ErrorOf({ErrorCode::kInvalidArgument, "'project' must be a project's name"});
        }
        auto project = gate.Into(request.principal, store::ProjectResource::kDataset, import->name,
                                 project_name.get<std::string>());
        if (!project) return ErrorOf(project.error());
        ProjectScope scope(*project);
        auto job = datasets.StartUrlImport(*import);
        return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
      }));
  router.Add(RouteOf("GET", "/api/v1/import-hosts", Access::kAdmin, [&store](http::Request&) {
    auto hosts = store.ListImportHosts();
    if (!hosts) return ErrorOf(hosts.error());
    json list = json::array();
    for (const auto& host : *hosts) list.push_back(ImportHostJson(host));
    return JsonResponse(200, {{"hosts", list}});
  }));
  router.Add(RouteOf("PUT", "/api/v1/import-hosts/{host}", Access::kAdmin,
                     [&store, &clock](http::Request& request) {
                       auto host = data::NormalizeImportHost(request.params.at("host"));
                       if (!host) return ErrorOf(host.error());
                       auto added = store.AddImportHost(*host, clock.NowMillis());
                       if (!added) return ErrorOf(added.error());
                       return JsonResponse(added->second ? 201 : 200, ImportHostJson(added->first));
                     }));
  router.Add(RouteOf("DELETE", "/api/v1/import-hosts/{host}", Access::kAdmin,
                     [&store, &clock](http::Request& request) {
                       auto host = data::NormalizeImportHost(request.params.at("host"));
                       if (!host) return ErrorOf(host.error());
                       auto removed = store.RemoveImportHost(*host, clock.NowMillis());
                       return removed ? NoContent() : ErrorOf(removed.error());
                     }));
}

}  // namespace aimass::api
