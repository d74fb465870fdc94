// `aimass import-hosts list|add|remove` (admins: the hosts URL imports may fetch from) and
// `aimass data import-url URL --name N`: verbs of ClientCommands.
#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
using nlohmann::json;

void ClientCommands::RegisterImportHosts(CLI::App& app) {
  CLI::App* hosts = app.add_subcommand(
      "import-hosts", "Hosts that URL imports may fetch from (admins only): list, add, remove");
  hosts->fallthrough();
  hosts->require_subcommand(1);
  On(hosts->add_subcommand("list", "List the allowed hosts"), &ClientCommands::ImportHostsList);
  CLI::App* add = hosts->add_subcommand(
      "add",
      "Allow a host name, *.domain (its subdomains) or an IP address; a loopback, private or "
      "link-local address is reachable only when that address itself is listed");
  add->add_option("host", import_target_, "e.g. data.example.com, *.example.com, 203.0.113.7")
      ->required();
  On(add, &ClientCommands::ImportHostsAdd);
  CLI::App* remove = hosts->add_subcommand("remove", "Stop allowing a host");
  remove->add_option("host", import_target_, "As listed")->required();
  On(remove, &ClientCommands::ImportHostsRemove);

  CLI::App* data = app.get_subcommand("data");
  CLI::App* import = data->add_subcommand(
      "import-url", "Import a file from an http(s) URL (its host must be on the allow-list)");
  import->add_option("url", import_target_, "http:// or https:// URL of the file")->required();
  import->add_option("--name", flags_.name, "Dataset name")->required();
  import->add_option("--format", flags_.format,
                     "csv, tsv, jsonl or parquet (default: from the "
                     "URL's extension, else from the contents)");
  import->add_flag("--no-wait", flags_.no_wait, "Print the job id and return at once");
  On(import, &ClientCommands::DataImportUrl);
}

int ClientCommands::DataImportUrl() {
  auto api = Connect();
  if (!api) return Report(api.error());
  json body = {{"url", import_target_}, {"name", flags_.name}};
  if (!flags_.format.empty()) body["format"] = flags_.format;
  auto answer = api->Post("/datasets/import-url", body);
  if (!answer) return Report(answer.error());
  return FollowJob(*api, *answer);
}

int ClientCommands::ImportHostsList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/import-hosts");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& host : answer->value("hosts", json::array())) {
    rows.push_back(
        {FieldText(host, "host"), FieldText(host, "added_by"), FieldText(host, "added_at")});
  }
  if (rows.empty()) {
    *terminal_.out << "no hosts allowed: URL imports are off. Allow one with "
                      "`aimass import-hosts add HOST`\n";
    return kExitOk;
  }
  *terminal_.out << FormatTable({"HOST", "ADDED BY", "ADDED"}, rows);
  return kExitOk;
}

int ClientCommands::ImportHostsAdd() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto added = api->Put("/import-hosts/" + Segment(import_target_), json::object());
  if (!added) return Report(added.error());
  if (flags_.json) {
    PrintJson(*added);
    return kExitOk;
  }
  *terminal_.out << "URL imports may now fetch from " << FieldText(*added, "host") << "\n";
  return kExitOk;
}

int ClientCommands::ImportHostsRemove() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete("/import-hosts/" + Segment(import_target_));
  if (!removed) return Report(removed.error());
  *terminal_.out << "removed " << import_target_ << " from the import allow-list\n";
  return kExitOk;
}

}  // namespace aimass::cli
