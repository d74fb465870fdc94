// The project half of SqliteStore: projects, their members and roles, and which project a
// named dataset, model, endpoint or job belongs to.
#include <string>

#include "common/project_scope.h"
#include "store/ledger_details.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {

constexpr const char *kProjectSelect = "SELECT id, name, description, created_at FROM projects ";

ProjectRecord ReadProject(const Statement &row) {
  return ProjectRecord{row.Int(0), row.Text(1), row.Text(2), row.Int(3)};
}

std::unexpected<Error> NoProject(const std::string &name) {
  return Fail(ErrorCode::kNotFound, "project '" + name +
                                        "' does not exist; list projects with GET "
                                        "/api/v1/projects or `aimass projects list`");
}

// The query that finds what `kind` named ?1 belongs to, and user ?2's role there.
std::string AccessQuery(ProjectResource kind) {
  const std::string role = "LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = ?2 ";
  if (kind == ProjectResource::kProject) {
    return "SELECT p.id, p.name, m.role FROM projects p " + role + "WHERE p.name = ?1";
  }
  std::string table = "datasets";
  std::string where = "WHERE t.name = ?1";
  if (kind == ProjectResource::kModel) table = "models";
  if (kind == ProjectResource::kEndpoint) table = "endpoints";
  if (kind == ProjectResource::kSource) table = "sources";
  if (kind == ProjectResource::kPipeline) table = "pipelines";
  if (kind == ProjectResource::kJob || kind == ProjectResource::kPipelineRun) {
    table = kind == ProjectResource::kJob
                ? "jobs"
                : "(SELECT r.id, pl.project_id FROM pipeline_runs r JOIN pipelines pl ON pl.id "
                  "= r.pipeline_id)";
    where = "WHERE t.id = CAST(?1 AS INTEGER) AND ?1 NOT GLOB '*[^0-9]*'";
  }
  return "SELECT p.id, p.name, m.role FROM " + table +
         " t JOIN projects p ON p.id = t.project_id " + role + where;
}

}  // namespace

std::string_view ProjectRoleName(ProjectRole role) {
  switch (role) {
    case ProjectRole::kViewer:
      return "viewer";
    case ProjectRole::kEditor:
      return "editor";
    case ProjectRole::kOwner:
      return "owner";
    case ProjectRole::kNone:
      break;
  }
  return "none";
}

std::optional<ProjectRole> ParseProjectRole(std::string_view name) {
  for (ProjectRole role :
       {ProjectRole::kNone, ProjectRole::kViewer, ProjectRole::kEditor, ProjectRole::kOwner}) {
    if (ProjectRoleName(role) == name) return role;
  }
  return std::nullopt;
}

Result<ProjectRecord> SqliteStore::CreateProject(const std::string &name,
                                                 const std::string &description, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto insert,
                          db_->Prepare("INSERT INTO projects(name, description, created_at) "
                                       "VALUES (?, ?, ?)"));
  auto inserted = insert.Bind(name).Bind(description).Bind(now).Run();
  if (!inserted && inserted.error().code == ErrorCode::kConflict) {
    return Fail(ErrorCode::kConflict, "project '" + name + "' already exists");
  }
  AIMASS_RETURN_IF_ERROR(inserted);
  ProjectRecord project{db_->LastInsertId(), name, description, now};
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {"project.created", "project:" + name, {{"description", description}}}, now));
  AIMASS_RETURN_IF_ERROR(tx.Commit());
  return project;
}

Result<ProjectRecord> SqliteStore::GetProject(const std::string &name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(std::string(kProjectSelect) + "WHERE name = ?"));
  query.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return NoProject(name);
  return ReadProject(query);
}

Result<std::vector<ProjectRecord>> SqliteStore::ListProjects(int64_t user_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare(std::string(kProjectSelect) +
                               "WHERE ?1 = 0 OR id IN (SELECT project_id FROM project_members "
                               "WHERE user_id = ?1) ORDER BY name"));
  query.Bind(user_id);
  return query.Collect<ProjectRecord>(ReadProject);
}

Status SqliteStore::DeleteProject(const std::string &name) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT id FROM projects WHERE name = ?"));
  find.Bind(name);
  AIMASS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return NoProject(name);
  const int64_t id = find.Int(0);
  if (id == kDefaultProjectId) {
    return Fail(ErrorCode::kConflict, "the project 'default' cannot be deleted");
  }
  AIMASS_ASSIGN_OR_RETURN(
      auto held,
      db_->Prepare("SELECT 'datasets', COUNT(*) FROM datasets WHERE project_id = ?1 "
                   "UNION ALL SELECT 'models', COUNT(*) FROM models WHERE "
                   "project_id = ?1 UNION ALL SELECT 'endpoints', COUNT(*) FROM "
                   "endpoints WHERE project_id = ?1 UNION ALL SELECT 'sources', COUNT(*) FROM "
                   "sources WHERE project_id = ?1 UNION ALL SELECT 'unfinished jobs', "
                   "COUNT(*) FROM jobs WHERE project_id = ?1 AND state IN "
                   "('queued', 'running')"));
  held.Bind(id);
  std::string holds;
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(bool row, held.Step());
    if (!row) break;
    if (held.Int(1) == 0) continue;
    holds += (holds.empty() ? "" : ", ") + std::to_string(held.Int(1)) + " " + held.Text(0);
  }
  if (!holds.empty()) {
    return Fail(ErrorCode::kConflict, "project '" + name + "' still holds " + holds +
                                          "; delete them first, then the project");
  }
  AIMASS_ASSIGN_OR_RETURN(auto members,
                          db_->Prepare("DELETE FROM project_members WHERE project_id = ?"));
  AIMASS_RETURN_IF_ERROR(members.Bind(id).Run());
  // Finished jobs keep their history; they move to the default project with it.
  AIMASS_ASSIGN_OR_RETURN(auto jobs, db_->Prepare("UPDATE jobs SET project_id = ? "
                                                  "WHERE project_id = ?"));
  AIMASS_RETURN_IF_ERROR(jobs.Bind(kDefaultProjectId).Bind(id).Run());
  AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM projects WHERE id = ?"));
  AIMASS_RETURN_IF_ERROR(remove.Bind(id).Run());
  AIMASS_RETURN_IF_ERROR(
      AppendLedgerLocked({"project.deleted", "project:" + name}, WallClockMillis()));
  return tx.Commit();
}

Status SqliteStore::SetProjectRole(const std::string &project, const std::string &user,
                                   ProjectRole role, int64_t now) {
  std::lock_guard lock(mu_);
  Transaction tx(*db_);
  AIMASS_RETURN_IF_ERROR(tx.Begin());
  AIMASS_ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT id FROM projects WHERE name = ?"));
  find.Bind(project);
  AIMASS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return NoProject(project);
  const int64_t project_id = find.Int(0);
  AIMASS_ASSIGN_OR_RETURN(auto who, db_->Prepare("SELECT id FROM users WHERE name = ?"));
  who.Bind(user);
  AIMASS_ASSIGN_OR_RETURN(bool known, who.Step());
  if (!known) {
    return Fail(ErrorCode::kNotFound,
                "no user named '" + user + "'; an admin creates users with `aimass users create`");
  }
  const int64_t user_id = who.Int(0);
  if (role == ProjectRole::kNone) {
    AIMASS_ASSIGN_OR_RETURN(auto remove, db_->Prepare("DELETE FROM project_members "
                                                      "WHERE project_id = ? AND user_id = ?"));
    AIMASS_RETURN_IF_ERROR(remove.Bind(project_id).Bind(user_id).Run());
    if (db_->Changes() == 0) {
      return Fail(ErrorCode::kNotFound,
                  "user '" + user + "' is not a member of project '" + project + "'");
    }
  } else {
    AIMASS_ASSIGN_OR_RETURN(auto upsert,
                            db_->Prepare("INSERT INTO project_members(project_id, user_id, role, "
                                         "added_at) VALUES (?, ?, ?, ?) ON CONFLICT (project_id, "
                                         "user_id) DO UPDATE SET role = excluded.role"));
    AIMASS_RETURN_IF_ERROR(
        upsert.Bind(project_id).Bind(user_id).Bind(ProjectRoleName(role)).Bind(now).Run());
  }
  AIMASS_RETURN_IF_ERROR(AppendLedgerLocked(
      {role == ProjectRole::kNone ? "project.member.removed" : "project.member.set",
       "project:" + project,
       {{"user", user}, {"role", ProjectRoleName(role)}}},
      now));
  return tx.Commit();
}

Result<std::vector<ProjectMemberRecord>> SqliteStore::ListProjectMembers(
    const std::string &project) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT id FROM projects WHERE name = ?"));
  find.Bind(project);
  AIMASS_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return NoProject(project);
  AIMASS_ASSIGN_OR_RETURN(auto query,
                          db_->Prepare("SELECT u.name, m.role, m.added_at FROM project_members m "
                                       "JOIN users u ON u.id = m.user_id WHERE m.project_id = ? "
                                       "ORDER BY u.name"));
  query.Bind(find.Int(0));
  return query.Collect<ProjectMemberRecord>([](const Statement &row) {
    return ProjectMemberRecord{
        row.Text(0), ParseProjectRole(row.Text(1)).value_or(ProjectRole::kNone), row.Int(2)};
  });
}

Result<std::optional<ProjectAccess>> SqliteStore::AccessTo(ProjectResource kind,
                                                           const std::string &name,
                                                           int64_t user_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare(AccessQuery(kind)));
  query.Bind(name).Bind(user_id);
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<ProjectAccess>();
  return ProjectAccess{query.Int(0), query.Text(1),
                       ParseProjectRole(query.Text(2)).value_or(ProjectRole::kNone)};
}

Result<std::map<int64_t, ProjectRole>> SqliteStore::ProjectRoles(int64_t user_id) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT project_id, role FROM project_members "
                                                   "WHERE user_id = ?"));
  query.Bind(user_id);
  std::map<int64_t, ProjectRole> roles;
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    roles[query.Int(0)] = ParseProjectRole(query.Text(1)).value_or(ProjectRole::kNone);
  }
  return roles;
}

Status SqliteStore::CheckSameProjectLocked(std::string_view table, const std::string &name) {
  AIMASS_ASSIGN_OR_RETURN(
      auto query, db_->Prepare("SELECT t.project_id, p.name, (SELECT name FROM projects WHERE "
                               "id = ?2) FROM " +
                               std::string(table) +
                               " t JOIN projects p ON p.id = t.project_id WHERE t.name = ?1"));
  query.Bind(name).Bind(ProjectScope::Current());
  AIMASS_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found || query.Int(0) == ProjectScope::Current()) return Ok();
  std::string what(table);
  what.pop_back();  // "datasets" -> "dataset"
  return Fail(ErrorCode::kPermissionDenied,
              what + " '" + name + "' belongs to project '" + query.Text(1) +
                  "', and this work is done in project '" + query.Text(2) +
                  "'; choose another name, or do it in project '" + query.Text(1) + "'");
}

}  // namespace aimass::store
