// Who may touch what a project owns. Admins may touch everything; any other user only what
// belongs to a project they are a member of, as far as their role there allows: a viewer
// reads and predicts, an editor also changes, an owner also manages the members.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/request.h"
#include "http/router.h"
#include "store/metadata_store.h"

namespace aimass::api {

class ProjectGate {
 public:
  explicit ProjectGate(store::MetadataStore& store) : store_(store) {}

  // Gives every route whose path names a project's thing ("/api/v1/datasets/{name}...",
  // "/v2/models/{name}...", "/api/v1/jobs/{id}...", "/api/v1/projects/{project}...") the
  // check of the caller's role in that thing's project. Call after the routes are added.
  void GuardRoutes(http::Router& router);

  // The project of the named thing when `caller` has at least `needed` there; 0 when no such
  // thing exists (the handler's own lookup then answers 404). kPermissionDenied naming the
  // project, the role held and the role needed otherwise.
  Result<int64_t> Require(const http::Principal& caller, store::ProjectResource kind,
                          const std::string& name, store::ProjectRole needed);
  // The project something new joins when nothing it is made from has one (an upload, a model
  // import): `project` by name, "default" when empty; the caller needs `needed` there.
  Result<int64_t> Named(const http::Principal& caller, const std::string& project,
                        store::ProjectRole needed);
  // The project a write to the named thing happens in: the thing's own when it exists (then
  // `project`, when not empty, must name it: kConflict otherwise), else `project` as Named.
  // The caller needs an editor's role there.
  Result<int64_t> Into(const http::Principal& caller, store::ProjectResource kind,
                       const std::string& name, const std::string& project);
  // Into, with `project` taken from a JSON body's "project" field ("" when absent);
  // kInvalidArgument when that field is not a project's name.
  Result<int64_t> IntoBodyProject(const http::Principal& caller, store::ProjectResource kind,
                                  const std::string& name, const nlohmann::json& body);
  // The projects a listing shows: those `caller` is a member of (every one, as nullopt, for
  // an admin), narrowed to `project` when it is not empty.
  Result<std::optional<std::vector<int64_t>>> Readable(const http::Principal& caller,
                                                       const std::string& project);

  // True when `project_id` is in a Readable answer.
  static bool Shows(const std::optional<std::vector<int64_t>>& readable, int64_t project_id);

 private:
  Status Check(const http::Principal& caller, const store::ProjectAccess& access,
               const std::string& where, store::ProjectRole needed);

  store::MetadataStore& store_;
};

}  // namespace aimass::api
