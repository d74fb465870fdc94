// `aimass projects ...`: list, create, show and delete projects, and manage their members
// (REST: /api/v1/projects, docs/api.md "Projects").
#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
using nlohmann::json;

void ClientCommands::RegisterProjects(CLI::App& app) {
  CLI::App* projects = app.add_subcommand(
      "projects", "Projects: what they hold is seen and changed by their members only");
  projects->fallthrough();
  projects->require_subcommand(1);

  On(projects->add_subcommand("list", "List your projects (every project, for an admin)"),
     &ClientCommands::ProjectsList);
  CLI::App* create = projects->add_subcommand("create", "Create a project (admins)");
  create->add_option("name", project_flags_.name, "Project name")->required();
  create->add_option("--description", project_flags_.description, "What it is for");
  create->add_option("--owner", project_flags_.user, "A user who owns it from the start");
  On(create, &ClientCommands::ProjectsCreate);
  CLI::App* members = projects->add_subcommand("members", "Show a project and its members");
  members->add_option("name", project_flags_.name, "Project name")->required();
  On(members, &ClientCommands::ProjectsMembers);
  CLI::App* add = projects->add_subcommand(
      "add-member", "Give a user a role in a project, or change it (owners and admins)");
  add->add_option("name", project_flags_.name, "Project name")->required();
  add->add_option("user", project_flags_.user, "User name")->required();
  add->add_option("--role", project_flags_.role, "owner, editor or viewer")
      ->check(CLI::IsMember({"owner", "editor", "viewer"}))
      ->capture_default_str();
  On(add, &ClientCommands::ProjectsAddMember);
  CLI::App* remove = projects->add_subcommand("remove-member", "Take a user out of a project");
  remove->add_option("name", project_flags_.name, "Project name")->required();
  remove->add_option("user", project_flags_.user, "User name")->required();
  On(remove, &ClientCommands::ProjectsRemoveMember);
  CLI::App* drop = projects->add_subcommand("delete", "Delete an empty project (admins)");
  drop->add_option("name", project_flags_.name, "Project name")->required();
  On(drop, &ClientCommands::ProjectsDelete);
}

int ClientCommands::ProjectsList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/projects");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& project : answer->value("projects", json::array())) {
    rows.push_back({FieldText(project, "name"), FieldText(project, "role"),
                    FieldText(project, "description")});
  }
  *terminal_.out << FormatTable({"NAME", "YOUR ROLE", "DESCRIPTION"}, rows);
  return kExitOk;
}

int ClientCommands::ProjectsCreate() {
  auto api = Connect();
  if (!api) return Report(api.error());
  json body = {{"name", project_flags_.name}, {"description", project_flags_.description}};
  if (!project_flags_.user.empty()) body["owner"] = project_flags_.user;
  auto answer = api->Post("/projects", body);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << "created project " << project_flags_.name << "\n";
  return kExitOk;
}

int ClientCommands::ProjectsMembers() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/projects/" + Segment(project_flags_.name));
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& member : answer->value("members", json::array())) {
    rows.push_back(
        {FieldText(member, "user"), FieldText(member, "role"), FieldText(member, "added_at")});
  }
  *terminal_.out << FormatTable({"USER", "ROLE", "ADDED"}, rows);
  return kExitOk;
}

int ClientCommands::ProjectsAddMember() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Put("/projects/" + Segment(project_flags_.name) + "/members/" +
                             Segment(project_flags_.user),
                         {{"role", project_flags_.role}});
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << project_flags_.user << " is now " << project_flags_.role << " of "
                 << project_flags_.name << "\n";
  return kExitOk;
}

int ClientCommands::ProjectsRemoveMember() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete("/projects/" + Segment(project_flags_.name) + "/members/" +
                             Segment(project_flags_.user));
  if (!removed) return Report(removed.error());
  *terminal_.out << project_flags_.user << " is no longer a member of " << project_flags_.name
                 << "\n";
  return kExitOk;
}

int ClientCommands::ProjectsDelete() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete("/projects/" + Segment(project_flags_.name));
  if (!removed) return Report(removed.error());
  *terminal_.out << "deleted project " << project_flags_.name << "\n";
  return kExitOk;
}

}  // namespace aimass::cli
