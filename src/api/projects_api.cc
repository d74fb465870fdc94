// /api/v1/projects: admins create and delete projects; a project's owners give users a role
// in it (owner, editor, viewer); its members see it. Who may reach which project's things is
// ProjectGate's (project_gate.h).
#include "api/json_views.h"
#include "api/routes.h"
#include "common/time_format.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;
using store::ProjectRole;

namespace {

constexpr std::string_view kRoles = "owner, editor or viewer";

// 1 to 64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit: a name that
// is safe in a URL, a file name and a shell.
Status CheckProjectName(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 64 &&
                  std::isalnum(static_cast<unsigned char>(name[0])) &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                  });
  if (ok) return Ok();
  return Fail(ErrorCode::kInvalidArgument,
              "project name '" + name.substr(0, 80) +
                  "' is not allowed: use 1 to 64 of a-z, 0-9, '-' and '_', starting with a "
                  "letter or digit");
}

json ProjectJson(const store::ProjectRecord& project) {
  return {{"name", project.name},
          {"description", project.description},
          {"created_at", IsoTime(project.created_at)}};
}

json MembersJson(const std::vector<store::ProjectMemberRecord>& members) {
  json list = json::array();
  for (const auto& member : members) {
    list.push_back({{"user", member.user_name},
                    {"role", store::ProjectRoleName(member.role)},
                    {"added_at", IsoTime(member.added_at)}});
  }
  return list;
}

http::Response ListProjects(store::MetadataStore& store, const http::Request& request) {
  const http::Principal& caller = request.principal;
  auto projects = store.ListProjects(caller.is_admin ? 0 : caller.user_id);
  if (!projects) return ErrorOf(projects.error());
  auto roles = store.ProjectRoles(caller.user_id);
  if (!roles) return ErrorOf(roles.error());
  json list = json::array();
  for (const auto& project : *projects) {
    json item = ProjectJson(project);
    auto role = roles->find(project.id);
    item["role"] =
        role == roles->end() ? json(nullptr) : json(store::ProjectRoleName(role->second));
    list.push_back(std::move(item));
  }
  return JsonResponse(200, {{"projects", list}});
}

http::Response CreateProject(store::MetadataStore& store, const Clock& clock,
                             const http::Request& request) {
  constexpr std::string_view kExample = R"({"name":"fraud","description":"...","owner":"ana"})";
  auto body = ObjectBody(request, kExample);
  if (!body) return ErrorOf(body.error());
  if (!body->value("name", json()).is_string() ||
      !body->value("description", json("")).is_string() ||
      !body->value("owner", json("")).is_string()) {
    return ErrorOf({ErrorCode::kInvalidArgument, "send JSON like " + std::string(kExample)});
  }
  const std::string name = (*body)["name"].get<std::string>();
  if (auto valid = CheckProjectName(name); !valid) return ErrorOf(valid.error());
  const std::string owner = body->value("owner", "");
  if (!owner.empty()) {  // checked first, so a project is not left half made
    auto user = store.FindUser(owner);
    if (!user) return ErrorOf(user.error());
    if (!*user) {
      return ErrorOf({ErrorCode::kNotFound,
                      "no user named '" + owner + "'; create it first with `aimass users create`"});
    }
  }
  auto project = store.CreateProject(name, body->value("description", ""), clock.NowMillis());
  if (!project) return ErrorOf(project.error());
  if (!owner.empty()) {
    if (auto set = store.SetProjectRole(name, owner, ProjectRole::kOwner, clock.NowMillis());
        !set) {
      return ErrorOf(set.error());
    }
  }
  json answer = ProjectJson(*project);
  auto members = store.ListProjectMembers(name);
  answer["members"] = members ? MembersJson(*members) : json::array();
  return JsonResponse(201, answer);
}

http::Response ShowProject(store::MetadataStore& store, const http::Request& request) {
  const std::string& name = request.params.at("project");
  auto project = store.GetProject(name);
  if (!project) return ErrorOf(project.error());
  auto members = store.ListProjectMembers(name);
  if (!members) return ErrorOf(members.error());
  json answer = ProjectJson(*project);
  answer["members"] = MembersJson(*members);
  return JsonResponse(200, answer);
}

http::Response SetMember(store::MetadataStore& store, const Clock& clock,
                         const http::Request& request) {
  auto body = ObjectBody(request, R"({"role":"editor"})");
  if (!body) return ErrorOf(body.error());
  const json role_text = body->value("role", json());
  auto role =
      role_text.is_string() ? store::ParseProjectRole(role_text.get<std::string>()) : std::nullopt;
  if (!role || *role == ProjectRole::kNone) {
    return ErrorOf({ErrorCode::kInvalidArgument,
                    "send {\"role\":\"editor\"}; a role is " + std::string(kRoles)});
  }
  const std::string& project = request.params.at("project");
  auto set = store.SetProjectRole(project, request.params.at("user"), *role, clock.NowMillis());
  if (!set) return ErrorOf(set.error());
  auto members = store.ListProjectMembers(project);
  return members ? JsonResponse(200, {{"members", MembersJson(*members)}})
                 : ErrorOf(members.error());
}

}  // namespace

void AddProjectRoutes(http::Router& router, store::MetadataStore& store, const Clock& clock) {
  router.Add({"GET", "/api/v1/projects", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) { return ListProjects(store, request); }});
  router.Add(
      {"POST", "/api/v1/projects", Access::kAdmin, BodyMode::kBuffered,
       [&store, &clock](http::Request& request) { return CreateProject(store, clock, request); }});
  router.Add({"GET", "/api/v1/projects/{project}", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) { return ShowProject(store, request); }});
  router.Add({"DELETE", "/api/v1/projects/{project}", Access::kAdmin, BodyMode::kBuffered,
              [&store](http::Request& request) {
                auto deleted = store.DeleteProject(request.params.at("project"));
                return deleted ? NoContent() : ErrorOf(deleted.error());
              }});
  router.Add({"GET", "/api/v1/projects/{project}/members", Access::kUser, BodyMode::kBuffered,
              [&store](http::Request& request) {
                auto members = store.ListProjectMembers(request.params.at("project"));
                return members ? JsonResponse(200, {{"members", MembersJson(*members)}})
                               : ErrorOf(members.error());
              }});
  router.Add(
      {"PUT", "/api/v1/projects/{project}/members/{user}", Access::kUser, BodyMode::kBuffered,
       [&store, &clock](http::Request& request) { return SetMember(store, clock, request); }});
  router.Add({"DELETE", "/api/v1/projects/{project}/members/{user}", Access::kUser,
              BodyMode::kBuffered, [&store, &clock](http::Request& request) {
                auto removed =
                    store.SetProjectRole(request.params.at("project"), request.params.at("user"),
                                         ProjectRole::kNone, clock.NowMillis());
                return removed ? NoContent() : ErrorOf(removed.error());
              }});
}

}  // namespace aimass::api
