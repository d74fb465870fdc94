#include "api/project_gate.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace aimass::api {
namespace {

using store::ProjectResource;
using store::ProjectRole;

// The route patterns whose parameter names a project's thing, and what it names.
struct GuardedPrefix {
  std::string_view prefix;
  ProjectResource kind;
  std::string_view param;
  std::string_view what;
};
constexpr std::array<GuardedPrefix, 10> kGuarded = {{
    {"/api/v1/datasets/{name}", ProjectResource::kDataset, "name", "dataset"},
    {"/api/v1/models/{name}", ProjectResource::kModel, "name", "model"},
    {"/api/v1/endpoints/{name}", ProjectResource::kEndpoint, "name", "endpoint"},
    {"/v2/models/{name}", ProjectResource::kEndpoint, "name", "endpoint"},
    {"/api/v1/jobs/{id}", ProjectResource::kJob, "id", "job"},
    {"/api/v1/training-runs/{id}", ProjectResource::kJob, "id", "job"},
    {"/api/v1/projects/{project}", ProjectResource::kProject, "project", "project"},
    {"/api/v1/sources/{name}", ProjectResource::kSource, "name", "source"},
    {"/api/v1/pipelines/{name}", ProjectResource::kPipeline, "name", "pipeline"},
    {"/api/v1/pipeline-runs/{id}", ProjectResource::kPipelineRun, "id", "pipeline run"},
}};

const GuardedPrefix* GuardOf(const std::string& pattern) {
  for (const auto& guarded : kGuarded) {
    if (pattern == guarded.prefix ||
        (pattern.starts_with(guarded.prefix) && pattern[guarded.prefix.size()] == '/')) {
      return &guarded;
    }
  }
  return nullptr;
}

// Reading (and predicting) needs a viewer, changing an editor, and changing who is a member
// an owner.
ProjectRole NeededFor(const http::Route& route) {
  if (route.method == "GET" || route.method == "HEAD" || route.access == http::Access::kPredict) {
    return ProjectRole::kViewer;
  }
  if (route.pattern.starts_with("/api/v1/projects/{project}/members")) return ProjectRole::kOwner;
  return ProjectRole::kEditor;
}

std::string RoleWords(ProjectRole role) {
  switch (role) {
    case ProjectRole::kViewer:
      return "a viewer";
    case ProjectRole::kEditor:
      return "an editor";
    case ProjectRole::kOwner:
      return "an owner";
    case ProjectRole::kNone:
      break;
  }
  return "no member";
}

}  // namespace

void ProjectGate::GuardRoutes(http::Router& router) {
  router.AddParamChecks([this](const http::Route& route) -> http::ParamCheck {
    const GuardedPrefix* guarded = GuardOf(route.pattern);
    if (guarded == nullptr) return {};
    const ProjectRole needed = NeededFor(route);
    return [this, guarded, needed](const http::Principal& caller,
                                   const std::map<std::string, std::string>& params) -> Status {
      if (caller.is_admin) return Ok();
      auto name = params.find(std::string(guarded->param));
      if (name == params.end()) return Ok();
      auto project = Require(caller, guarded->kind, name->second, needed);
      if (!project) return std::unexpected(project.error());
      return Ok();
    };
  });
}

Status ProjectGate::Check(const http::Principal& caller, const store::ProjectAccess& access,
                          const std::string& where, ProjectRole needed) {
  if (caller.is_admin || access.role >= needed) return Ok();
  const std::string project = "project '" + access.project + "'";
  const std::string fix =
      "; an owner of the project (or an admin) can change that with "
      "`aimass projects add-member " +
      access.project + " " + caller.user_name + " --role " +
      std::string(store::ProjectRoleName(needed)) + "`";
  if (access.role == ProjectRole::kNone) {
    return Fail(
        ErrorCode::kPermissionDenied,
        "user '" + caller.user_name + "' is not a member of " + project + ", " + where + fix);
  }
  return Fail(ErrorCode::kPermissionDenied,
              "user '" + caller.user_name + "' is " + RoleWords(access.role) + " of " + project +
                  ", " + where + ", and this needs " + RoleWords(needed) + " or stronger" + fix);
}

Result<int64_t> ProjectGate::Require(const http::Principal& caller, ProjectResource kind,
                                     const std::string& name, ProjectRole needed) {
  AIMASS_ASSIGN_OR_RETURN(auto access, store_.AccessTo(kind, name, caller.user_id));
  if (!access) return 0;
  std::string what;
  switch (kind) {
    case ProjectResource::kDataset:
      what = "dataset '" + name + "'";
      break;
    case ProjectResource::kModel:
      what = "model '" + name + "'";
      break;
    case ProjectResource::kEndpoint:
      what = "endpoint '" + name + "'";
      break;
    case ProjectResource::kJob:
      what = "job " + name;
      break;
    case ProjectResource::kProject:
      what = "project '" + name + "'";
      break;
    case ProjectResource::kSource:
      what = "source '" + name + "'";
      break;
    case ProjectResource::kPipeline:
      what = "pipeline '" + name + "'";
      break;
    case ProjectResource::kPipelineRun:
      what = "pipeline run " + name;
      break;
  }
  const std::string where =
      kind == ProjectResource::kProject ? "the project asked for" : "which " + what + " belongs to";
  AIMASS_RETURN_IF_ERROR(Check(caller, *access, where, needed));
  return access->project_id;
}

Result<int64_t> ProjectGate::Named(const http::Principal& caller, const std::string& project,
                                   ProjectRole needed) {
  const std::string name = project.empty() ? "default" : project;
  AIMASS_ASSIGN_OR_RETURN(auto access,
                          store_.AccessTo(ProjectResource::kProject, name, caller.user_id));
  if (!access) {
    return Fail(ErrorCode::kNotFound, "project '" + name +
                                          "' does not exist; `aimass projects list` shows "
                                          "yours, and an admin creates projects");
  }
  AIMASS_RETURN_IF_ERROR(Check(caller, *access, "where this would be made", needed));
  return access->project_id;
}

Result<int64_t> ProjectGate::Into(const http::Principal& caller, ProjectResource kind,
                                  const std::string& name, const std::string& project) {
  AIMASS_ASSIGN_OR_RETURN(int64_t existing, Require(caller, kind, name, ProjectRole::kEditor));
  if (existing == 0) return Named(caller, project, ProjectRole::kEditor);
  if (!project.empty()) {
    AIMASS_ASSIGN_OR_RETURN(auto access,
                            store_.AccessTo(ProjectResource::kProject, project, caller.user_id));
    if (!access || access->project_id != existing) {
      return Fail(ErrorCode::kConflict, "'" + name + "' exists in another project than '" +
                                            project +
                                            "'; leave out ?project= to add to it, or "
                                            "choose another name");
    }
  }
  return existing;
}

Result<int64_t> ProjectGate::IntoBodyProject(const http::Principal& caller, ProjectResource kind,
                                             const std::string& name, const nlohmann::json& body) {
  const nlohmann::json project = body.value("project", nlohmann::json(""));
  if (!project.is_string()) {
    return Fail(ErrorCode::kInvalidArgument, "'project' must be a project's name");
  }
  return Into(caller, kind, name, project.get<std::string>());
}

Result<std::optional<std::vector<int64_t>>> ProjectGate::Readable(const http::Principal& caller,
                                                                  const std::string& project) {
  std::optional<std::vector<int64_t>> readable;
  if (!project.empty()) {
    AIMASS_ASSIGN_OR_RETURN(int64_t id, Named(caller, project, ProjectRole::kViewer));
    readable = std::vector<int64_t>{id};
    return readable;
  }
  if (caller.is_admin) return readable;
  AIMASS_ASSIGN_OR_RETURN(auto roles, store_.ProjectRoles(caller.user_id));
  readable.emplace();
  for (const auto& [id, role] : roles) {
    if (role >= ProjectRole::kViewer) readable->push_back(id);
  }
  return readable;
}

bool ProjectGate::Shows(const std::optional<std::vector<int64_t>>& readable, int64_t project_id) {
  return !readable || std::find(readable->begin(), readable->end(), project_id) != readable->end();
}

}  // namespace aimass::api
