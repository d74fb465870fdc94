// `aimass sources ...`: list, show, create, run, pause, resume and delete the DataLake's
// sources (REST: /api/v1/sources, docs/api.md "Sources").
#include <nlohmann/json.hpp>

#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
using nlohmann::json;

namespace {

// "key=value": the value as JSON when it parses as a number, boolean or JSON text, else as
// a string ("path=/srv/inbox", "settle=2s", "port=5514").
Result<std::pair<std::string, json>> ParseSetting(const std::string& text) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "--set '" + text + "' is not key=value; write it like --set path=/srv/inbox");
  }
  const std::string value = text.substr(equals + 1);
  json parsed = json::parse(value, nullptr, false);
  if (parsed.is_discarded() || parsed.is_string()) parsed = value;
  return std::pair{text.substr(0, equals), parsed};
}

std::string StateText(const json& source) {
  const json state = source.value("state", json::object());
  if (!source.value("enabled", true)) return "paused";
  if (state.value("error", json()).is_string()) {
    return "failing (" + FieldText(state, "failures") + ")";
  }
  return state.value("last_success_at", json()).is_null() ? "new" : "ok";
}

}  // namespace

void ClientCommands::RegisterSources(CLI::App& app) {
  CLI::App* sources = app.add_subcommand(
      "sources", "DataLake sources: folders, listeners and streams that add dataset versions");
  sources->fallthrough();
  sources->require_subcommand(1);

  On(sources->add_subcommand("list", "List sources with their state"),
     &ClientCommands::SourcesList);
  CLI::App* show = sources->add_subcommand("show", "Show a source, its config and its state");
  show->add_option("name", source_flags_.name, "Source name")->required();
  On(show, &ClientCommands::SourcesShow);
  CLI::App* create = sources->add_subcommand("create", "Create a source");
  create->add_option("name", source_flags_.name, "Source name")->required();
  create->add_option("--kind", source_flags_.kind, "directory, syslog, postgres, redis, ...")
      ->required();
  create->add_option("--dataset", source_flags_.dataset, "The dataset its rows go to")->required();
  create->add_option("--project", source_flags_.project,
                     "The project a new dataset joins (default: 'default')");
  create->add_option("--config", source_flags_.config,
                     "The config as JSON: '{\"path\":\"/srv/inbox\",\"interval\":\"30s\"}'");
  create
      ->add_option("--set", source_flags_.sets,
                   "One config key, repeatable: --set path=/srv/inbox --set pattern='*.csv'")
      ->allow_extra_args(false);
  create->footer(
      "Example: aimass sources create inbox --kind directory --dataset events "
      "--set path=/srv/inbox --set pattern='*.csv' --set interval=30s");
  On(create, &ClientCommands::SourcesCreate);
  for (auto [verb, help, command] :
       {std::tuple{"run", "Run a source now", &ClientCommands::SourcesRun},
        std::tuple{"pause", "Stop running a source until it is resumed",
                   &ClientCommands::SourcesPause},
        std::tuple{"resume", "Run a paused source again", &ClientCommands::SourcesResume},
        std::tuple{"delete", "Delete a source (its dataset stays)",
                   &ClientCommands::SourcesDelete}}) {
    CLI::App* sub = sources->add_subcommand(verb, help);
    sub->add_option("name", source_flags_.name, "Source name")->required();
    On(sub, command);
  }
}

int ClientCommands::SourcesList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/sources");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& source : answer->value("sources", json::array())) {
    const json state = source.value("state", json::object());
    rows.push_back({FieldText(source, "name"), FieldText(source, "kind"),
                    FieldText(source, "dataset"), StateText(source), FieldText(state, "rows_taken"),
                    FieldText(state, "last_run_at")});
  }
  *terminal_.out << FormatTable({"NAME", "KIND", "DATASET", "STATE", "ROWS", "LAST RUN"}, rows);
  return kExitOk;
}

int ClientCommands::SourcesShow() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/sources/" + Segment(source_flags_.name));
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  const json source = answer->value("source", json::object());
  const json state = source.value("state", json::object());
  auto& out = *terminal_.out;
  out << "name:            " << FieldText(source, "name") << "\n"
      << "kind:            " << FieldText(source, "kind") << "\n"
      << "dataset:         " << FieldText(source, "dataset") << "\n"
      << "project:         " << FieldText(source, "project") << "\n"
      << "config:          " << source.value("config", json::object()).dump() << "\n"
      << "state:           " << StateText(source) << "\n";
  for (const char* key : {"last_run_at", "last_success_at", "rows_taken", "batches", "last_rows",
                          "lag_seconds", "failures", "next_run_at", "error"}) {
    std::string label = std::string(key) + ":";
    label.resize(std::max<size_t>(label.size() + 1, 17), ' ');
    out << label << FieldText(state, key) << "\n";
  }
  return kExitOk;
}

int ClientCommands::SourcesCreate() {
  json config = json::object();
  if (!source_flags_.config.empty()) {
    config = json::parse(source_flags_.config, nullptr, false);
    if (!config.is_object()) {
      return Report({ErrorCode::kInvalidArgument,
                     "--config must be a JSON object, like '{\"path\":\"/srv/inbox\"}'"});
    }
  }
  for (const std::string& text : source_flags_.sets) {
    auto setting = ParseSetting(text);
    if (!setting) return Report(setting.error());
    config[setting->first] = setting->second;
  }
  auto api = Connect();
  if (!api) return Report(api.error());
  json body = {{"name", source_flags_.name},
               {"kind", source_flags_.kind},
               {"dataset", source_flags_.dataset},
               {"config", config}};
  if (!source_flags_.project.empty()) body["project"] = source_flags_.project;
  auto answer = api->Post("/sources", body);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << "created source " << source_flags_.name << " (" << source_flags_.kind << " -> "
                 << source_flags_.dataset << ")\n";
  return kExitOk;
}

int ClientCommands::SourcesRun() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Post("/sources/" + Segment(source_flags_.name) + "/run", json::object());
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << "queued job " << FieldText(answer->value("job", json::object()), "id")
                 << " to run " << source_flags_.name << "\n";
  return kExitOk;
}

int ClientCommands::SourcesPause() { return SourcesSetEnabled("pause", "paused"); }
int ClientCommands::SourcesResume() { return SourcesSetEnabled("resume", "resumed"); }

int ClientCommands::SourcesSetEnabled(const char* verb, const char* done) {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Post("/sources/" + Segment(source_flags_.name) + "/" + verb, json::object());
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << done << " source " << source_flags_.name << "\n";
  return kExitOk;
}

int ClientCommands::SourcesDelete() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete("/sources/" + Segment(source_flags_.name));
  if (!removed) return Report(removed.error());
  *terminal_.out << "deleted source " << source_flags_.name << "\n";
  return kExitOk;
}

}  // namespace aimass::cli
