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

constexpr const char* kExample =
    R"({"url":"https://data.example.com/credit.csv","name":"credit","format":"csv"})";

Result<data::UrlImportRequest> UrlImportOf(const json& body) {
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

}  // namespace

void AddImportUrlRoutes(http::Router& router, data::DatasetService& datasets,
                        store::MetadataStore& store, const Clock& clock, ProjectGate& gate) {
  router.Add(
      {"POST", "/api/v1/datasets/import-url", Access::kUser, BodyMode::kBuffered,
       [&datasets, &gate](http::Request& request) {
         auto body = ObjectBody(request, kExample);
         if (!body) return ErrorOf(body.error());
         auto import = UrlImportOf(*body);
         if (!import) return ErrorOf(import.error());
         auto project = gate.IntoBodyProject(request.principal, store::ProjectResource::kDataset,
                                             import->name, *body);
         if (!project) return ErrorOf(project.error());
         ProjectScope scope(*project);
         auto job = datasets.StartUrlImport(*import);
         return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
       }});
  router.Add({"GET", "/api/v1/import-hosts", Access::kAdmin, BodyMode::kBuffered,
              [&store](http::Request&) {
                auto hosts = store.ListImportHosts();
                if (!hosts) return ErrorOf(hosts.error());
                json list = json::array();
                for (const auto& host : *hosts) list.push_back(ImportHostJson(host));
                return JsonResponse(200, {{"hosts", list}});
              }});
  router.Add({"PUT", "/api/v1/import-hosts/{host}", Access::kAdmin, BodyMode::kBuffered,
              [&store, &clock](http::Request& request) {
                auto host = data::NormalizeImportHost(request.params.at("host"));
                if (!host) return ErrorOf(host.error());
                auto added = store.AddImportHost(*host, clock.NowMillis());
                if (!added) return ErrorOf(added.error());
                return JsonResponse(added->second ? 201 : 200, ImportHostJson(added->first));
              }});
  router.Add({"DELETE", "/api/v1/import-hosts/{host}", Access::kAdmin, BodyMode::kBuffered,
              [&store, &clock](http::Request& request) {
                auto host = data::NormalizeImportHost(request.params.at("host"));
                if (!host) return ErrorOf(host.error());
                auto removed = store.RemoveImportHost(*host, clock.NowMillis());
                return removed ? NoContent() : ErrorOf(removed.error());
              }});
}

}  // namespace aimass::api
