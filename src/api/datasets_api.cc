// /api/v1/datasets and /api/v1/transforms: the DataLake over HTTP.
#include "api/json_views.h"
#include "api/routes.h"
#include "common/project_scope.h"
#include "common/time_format.h"
#include "data/json_depth.h"
#include "data/version_json.h"
#include "http/response.h"

namespace aimass::api {
using data::VersionDetailJson;
using data::VersionSummaryJson;
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

Result<data::DatasetRef> RefOf(const http::Request& request) {
  data::DatasetRef ref;
  ref.name = request.params.at("name");
  AIMASS_RETURN_IF_ERROR(data::CheckDatasetName(ref.name));
  auto version = request.params.find("v");
  if (version != request.params.end()) {
    AIMASS_ASSIGN_OR_RETURN(ref.version, data::ParseVersion(version->second));
  }
  return ref;
}

// "age:INTEGER,city:VARCHAR" → pairs; a type may hold commas inside parentheses.
Result<std::vector<std::pair<std::string, std::string>>> ParseTypes(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> types;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '(') ++depth;
    if (i < text.size() && text[i] == ')') --depth;
    if (i < text.size() && (text[i] != ',' || depth > 0)) continue;
    std::string item = text.substr(start, i - start);
    start = i + 1;
    if (item.empty()) continue;
    size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "type override '" + item + "' must look like column:TYPE, e.g. age:INTEGER");
    }
    types.emplace_back(item.substr(0, colon), item.substr(colon + 1));
  }
  return types;
}

Result<data::ImportRequest> ImportRequestOf(http::Request& request) {
  data::ImportRequest import;
  import.name = request.Query("name");
  if (import.name.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "say which dataset to import into: add ?name=NAME to the URL");
  }
  AIMASS_RETURN_IF_ERROR(data::CheckDatasetName(import.name));
  import.filename = request.Query("filename");
  std::string format = request.Query("format");
  if (!format.empty()) {
    AIMASS_ASSIGN_OR_RETURN(import.format, data::ParseFileFormat(format));
  }
  AIMASS_ASSIGN_OR_RETURN(import.column_types, ParseTypes(request.Query("types")));
  std::string delimiter = request.Query("delimiter");
  if (delimiter == "\\t" || delimiter == "tab") delimiter = "\t";
  if (delimiter.size() > 1) {
    return Fail(ErrorCode::kInvalidArgument, "delimiter must be one character, e.g. ';' or 'tab'");
  }
  if (!delimiter.empty()) import.delimiter = delimiter[0];
  std::string header = request.Query("header");
  if (header == "true" || header == "false") import.header = header == "true";
  import.append = request.Query("append") == "true";
  std::string path = request.Query("path");
  if (!path.empty()) {
    if (!request.principal.is_admin) {
      return Fail(ErrorCode::kPermissionDenied,
                  "only admins may import from a path on the server; upload the file instead");
    }
    if (request.body_size > 0) {
      return Fail(ErrorCode::kInvalidArgument, "send either a file body or ?path=, not both");
    }
    import.file = path;
    import.server_side = true;
    if (import.filename.empty()) import.filename = fs::path(path).filename().string();
    return import;
  }
  if (request.body_size == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "the uploaded file is empty: send the file's bytes as the request body "
                "(curl --data-binary @file.csv), or use `aimass data import FILE --name N`");
  }
  import.file = request.body_file;
  return import;
}

}  // namespace

void AddDatasetRoutes(http::Router& router, data::DatasetService& datasets, ProjectGate& gate) {
  router.Add({"POST", "/api/v1/datasets", Access::kUser, BodyMode::kFile,
              [&datasets, &gate](http::Request& request) {
                auto import = ImportRequestOf(request);
                if (!import) return ErrorOf(import.error());
                auto project = gate.Into(request.principal, store::ProjectResource::kDataset,
                                         import->name, request.Query("project"));
                if (!project) return ErrorOf(project.error());
                ProjectScope scope(*project);
                auto job = datasets.StartImport(std::move(*import));
                return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
              }});
  router.Add(
      {"GET", "/api/v1/datasets", Access::kUser, BodyMode::kBuffered,
       [&datasets, &gate](http::Request& request) {
         auto readable = gate.Readable(request.principal, request.Query("project"));
         if (!readable) return ErrorOf(readable.error());
         auto list = datasets.List();
         if (!list) return ErrorOf(list.error());
         json items = json::array();
         for (const auto& dataset : *list) {
           if (!ProjectGate::Shows(*readable, dataset.project_id)) continue;
           json item = {{"name", dataset.name},
                        {"project", dataset.project},
                        {"created_at", IsoTime(dataset.created_at)},
                        {"version_count", dataset.version_count},
                        {"latest", nullptr}};
           if (auto latest = datasets.Version({dataset.name, 0})) {
             item["latest"] = VersionSummaryJson(*latest);
           }
           items.push_back(item);
         }
         return JsonResponse(200, {{"datasets", items}});
       }});
  router.Add({"GET", "/api/v1/datasets/{name}", Access::kUser, BodyMode::kBuffered,
              [&datasets](http::Request& request) {
                auto dataset = datasets.Get(request.params.at("name"));
                if (!dataset) return ErrorOf(dataset.error());
                auto versions = datasets.Versions(*dataset);
                if (!versions) return ErrorOf(versions.error());
                json list = json::array();
                for (const auto& v : *versions) list.push_back(VersionSummaryJson(v));
                return JsonResponse(
                    200, {{"name", dataset->name},
                          {"created_at", IsoTime(dataset->created_at)},
                          {"versions", list},
                          {"latest", versions->empty() ? json(nullptr)
                                                       : VersionDetailJson(versions->back())}});
              }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{v}", Access::kUser, BodyMode::kBuffered,
              [&datasets](http::Request& request) {
                auto ref = RefOf(request);
                if (!ref) return ErrorOf(ref.error());
                auto version = datasets.Version(*ref);
                return version ? JsonResponse(200, VersionDetailJson(*version))
                               : ErrorOf(version.error());
              }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{v}/preview", Access::kUser,
              BodyMode::kBuffered, [&datasets](http::Request& request) {
                auto ref = RefOf(request);
                if (!ref) return ErrorOf(ref.error());
                auto offset = ParseCount(request.Query("offset"), "offset", 0);
                auto limit = ParseCount(request.Query("limit"), "limit", 100);
                if (!offset) return ErrorOf(offset.error());
                if (!limit) return ErrorOf(limit.error());
                auto page = datasets.Preview(*ref, *offset, *limit);
                if (!page) return ErrorOf(page.error());
                json columns = json::array();
                for (const auto& c : page->columns)
                  columns.push_back({{"name", c.name}, {"type", c.type}});
                return JsonResponse(200, {{"columns", columns},
                                          {"rows", page->rows},
                                          {"offset", *offset},
                                          {"limit", *limit},
                                          {"total_rows", page->total_rows}});
              }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{v}/stats", Access::kUser,
              BodyMode::kBuffered, [&datasets](http::Request& request) {
                auto ref = RefOf(request);
                if (!ref) return ErrorOf(ref.error());
                auto version = datasets.Version(*ref);
                if (!version) return ErrorOf(version.error());
                http::Response response;
                response.body = version->stats_json;
                return response;
              }});
  router.Add({"GET", "/api/v1/datasets/{name}/versions/{v}/export", Access::kUser,
              BodyMode::kBuffered, [&datasets](http::Request& request) {
                auto ref = RefOf(request);
                if (!ref) return ErrorOf(ref.error());
                auto format = data::ParseFileFormat(request.Query("format", "csv"));
                if (!format) return ErrorOf(format.error());
                auto file = datasets.Export(*ref, *format);
                if (!file) return ErrorOf(file.error());
                return FileResponse(file->path, file->filename, file->content_type,
                                    file->remove_after);
              }});
  router.Add({"DELETE", "/api/v1/datasets/{name}/versions/{v}", Access::kUser, BodyMode::kBuffered,
              [&datasets](http::Request& request) {
                auto ref = RefOf(request);
                if (!ref) return ErrorOf(ref.error());
                if (ref->version == 0) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "delete a version by its number; to delete every version, "
                                  "DELETE /api/v1/datasets/" +
                                      ref->name});
                }
                auto deleted = datasets.Delete(*ref, false);
                return deleted ? NoContent() : ErrorOf(deleted.error());
              }});
  router.Add({"DELETE", "/api/v1/datasets/{name}", Access::kUser, BodyMode::kBuffered,
              [&datasets](http::Request& request) {
                auto ref = RefOf(request);
                if (!ref) return ErrorOf(ref.error());
                auto deleted = datasets.Delete(*ref, true);
                return deleted ? NoContent() : ErrorOf(deleted.error());
              }});
  router.Add({"POST", "/api/v1/transforms", Access::kUser, BodyMode::kBuffered,
              [&datasets, &gate](http::Request& request) {
                if (auto flat = data::CheckJsonDepth(request.body); !flat) {
                  return ErrorOf(flat.error());
                }
                json body = json::parse(request.body, nullptr, false);
                if (!body.is_object() || !body.contains("input") || !body.contains("sql") ||
                    !body["input"].is_string() || !body["sql"].is_string()) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "send JSON like {\"input\":\"credit@1\",\"sql\":\"SELECT * FROM "
                                  "input\",\"output\":\"credit_clean\"}"});
                }
                auto input = data::ParseDatasetRef(body["input"].get<std::string>());
                if (!input) return ErrorOf(input.error());
                data::TransformRequest transform{*input, body["sql"].get<std::string>(),
                                                 body.value("output", "")};
                // The output joins the input's project; one of another project is refused
                // when the job commits (ProjectScope).
                auto project = gate.Require(request.principal, store::ProjectResource::kDataset,
                                            input->name, store::ProjectRole::kEditor);
                if (!project) return ErrorOf(project.error());
                if (!transform.output.empty()) {
                  auto output = gate.Require(request.principal, store::ProjectResource::kDataset,
                                             transform.output, store::ProjectRole::kEditor);
                  if (!output) return ErrorOf(output.error());
                }
                ProjectScope scope(*project != 0 ? *project : kDefaultProjectId);
                auto job = datasets.StartTransform(transform);
                return job ? JsonResponse(202, {{"job", JobJson(*job)}}) : ErrorOf(job.error());
              }});
  // The web console's look at a transform's result before it is saved.
  router.Add({"POST", "/api/v1/transforms/preview", Access::kUser, BodyMode::kBuffered,
              [&datasets, &gate](http::Request& request) {
                if (auto flat = data::CheckJsonDepth(request.body); !flat) {
                  return ErrorOf(flat.error());
                }
                json body = json::parse(request.body, nullptr, false);
                if (!body.is_object() || !body.contains("input") || !body.contains("sql") ||
                    !body["input"].is_string() || !body["sql"].is_string() ||
                    (body.contains("limit") && !body["limit"].is_number_integer())) {
                  return ErrorOf({ErrorCode::kInvalidArgument,
                                  "send JSON like {\"input\":\"credit@1\",\"sql\":\"SELECT * FROM "
                                  "input\",\"limit\":100}"});
                }
                auto input = data::ParseDatasetRef(body["input"].get<std::string>());
                if (!input) return ErrorOf(input.error());
                auto project = gate.Require(request.principal, store::ProjectResource::kDataset,
                                            input->name, store::ProjectRole::kViewer);
                if (!project) return ErrorOf(project.error());
                auto preview = datasets.PreviewTransform(
                    {*input, body["sql"].get<std::string>(), ""}, body.value("limit", int64_t{100}));
                if (!preview) return ErrorOf(preview.error());
                json columns = json::array();
                for (const auto& c : preview->page.columns) {
                  columns.push_back({{"name", c.name}, {"type", c.type}});
                }
                return JsonResponse(200, {{"columns", columns},
                                          {"rows", preview->page.rows},
                                          {"truncated", preview->truncated}});
              }});
}

}  // namespace aimass::api
