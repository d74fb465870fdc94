// `aimass pipelines ...`: apply YAML, list, show, run (and follow a run), cancel, rerun, the
// webhook token, delete (REST: /api/v1/pipelines, docs/api.md "Pipelines").
#include <thread>

#include "cli/client_commands.h"
#include "cli/progress.h"
#include "cli/table.h"
#include "common/files.h"

namespace aimass::cli {
using nlohmann::json;

namespace {

bool Finished(const json& run) {
  const std::string state = run.value("state", "");
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

// Percent of the steps that ended, and the steps running now.
std::pair<int, std::string> RunProgress(const json& run) {
  int done = 0;
  int total = 0;
  std::string running;
  for (const json& step : run.value("steps", json::array())) {
    ++total;
    const std::string state = step.value("state", "");
    if (state == "running") running += (running.empty() ? "" : ", ") + step.value("name", "");
    if (state != "waiting" && state != "running") ++done;
  }
  const int percent = total == 0 ? 0 : done * 100 / total;
  return {percent, running.empty() ? run.value("state", "") : "running " + running};
}

}  // namespace

void ClientCommands::RegisterPipelines(CLI::App& app) {
  CLI::App* pipelines = app.add_subcommand(
      "pipelines",
      "Pipelines: steps (import, transform, train, evaluate, gate, deploy, ...) run "
      "by triggers");
  pipelines->fallthrough();
  pipelines->require_subcommand(1);

  CLI::App* apply =
      pipelines->add_subcommand("apply", "Check a pipeline's YAML and store it as a new version");
  apply->add_option("file", pipeline_flags_.file, "The pipeline's YAML file")->required();
  apply->add_option("--project", pipeline_flags_.project,
                    "The project a new pipeline joins (default: 'default')");
  apply->add_flag("--check", pipeline_flags_.check, "Only check it; store nothing");
  On(apply, &ClientCommands::PipelinesApply);
  On(pipelines->add_subcommand("list", "List pipelines and their last runs"),
     &ClientCommands::PipelinesList);
  CLI::App* show = pipelines->add_subcommand("show", "Show a pipeline's YAML (the newest version)");
  show->add_option("name", pipeline_flags_.name, "Pipeline name")->required();
  show->add_option("--version", pipeline_flags_.version, "An older version");
  On(show, &ClientCommands::PipelinesShow);
  CLI::App* run = pipelines->add_subcommand("run", "Start a run now, and follow it");
  run->add_option("name", pipeline_flags_.name, "Pipeline name")->required();
  run->add_flag("--no-wait", flags_.no_wait, "Print the run's id and return");
  On(run, &ClientCommands::PipelinesRun);
  CLI::App* runs = pipelines->add_subcommand("runs", "List a pipeline's runs, newest first");
  runs->add_option("name", pipeline_flags_.name, "Pipeline name")->required();
  runs->add_option("--state", flags_.state, "queued, running, succeeded, failed or cancelled");
  runs->add_option("--limit", flags_.limit, "How many")->capture_default_str();
  On(runs, &ClientCommands::PipelinesRuns);
  CLI::App* status = pipelines->add_subcommand("status", "Show a run: its steps, outputs, logs");
  status->add_option("run", pipeline_flags_.run, "Run id")->required();
  status->add_flag("--wait", pipeline_flags_.wait, "Follow it until it ends");
  On(status, &ClientCommands::PipelinesStatus);
  CLI::App* cancel = pipelines->add_subcommand("cancel", "Cancel a queued or running run");
  cancel->add_option("run", pipeline_flags_.run, "Run id")->required();
  On(cancel, &ClientCommands::PipelinesCancel);
  CLI::App* rerun = pipelines->add_subcommand(
      "rerun", "Run an ended run again, reusing the outputs of the steps that succeeded");
  rerun->add_option("run", pipeline_flags_.run, "Run id")->required();
  rerun->add_flag("--no-wait", flags_.no_wait, "Print the new run's id and return");
  On(rerun, &ClientCommands::PipelinesRerun);
  CLI::App* token = pipelines->add_subcommand(
      "webhook-token", "Make a new token for the pipeline's webhook (the old one stops working)");
  token->add_option("name", pipeline_flags_.name, "Pipeline name")->required();
  On(token, &ClientCommands::PipelinesWebhookToken);
  CLI::App* drop = pipelines->add_subcommand("delete", "Delete a pipeline with its runs");
  drop->add_option("name", pipeline_flags_.name, "Pipeline name")->required();
  drop->add_flag("--yes", flags_.yes, "Do not ask");
  On(drop, &ClientCommands::PipelinesDelete);
  On(pipelines->add_subcommand("types", "List the step types, their parameters and outputs"),
     &ClientCommands::PipelinesTypes);
}

int ClientCommands::PipelinesApply() {
  auto yaml = ReadFile(pipeline_flags_.file);
  if (!yaml) return Report(yaml.error());
  auto api = Connect();
  if (!api) return Report(api.error());
  std::string path = "/pipelines";
  if (pipeline_flags_.check)
    path += "?dry_run=true";
  else if (!pipeline_flags_.project.empty())
    path += "?project=" + Segment(pipeline_flags_.project);
  auto answer = api->Post(path, {{"yaml", *yaml}});
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  const json spec = answer->value("spec", json::object());
  const size_t steps = spec.value("steps", json::array()).size();
  if (pipeline_flags_.check) {
    *terminal_.out << pipeline_flags_.file << " is a valid pipeline (" << steps << " steps)\n";
    return kExitOk;
  }
  *terminal_.out << (answer->value("changed", false) ? "applied " : "unchanged: ")
                 << answer->value("name", "") << " version " << answer->value("version", 0) << " ("
                 << steps << " steps, project " << answer->value("project", "") << ")\n";
  if (answer->contains("webhook_token")) {
    *terminal_.out << "webhook: POST " << answer->value("webhook_url", "")
                   << " with header X-Aimass-Webhook-Token: " << answer->value("webhook_token", "")
                   << "\n  (shown once; keep it)\n";
  }
  return kExitOk;
}

int ClientCommands::PipelinesList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/pipelines");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& pipeline : answer->value("pipelines", json::array())) {
    const json last = pipeline.value("last_run", json());
    rows.push_back({FieldText(pipeline, "name"), FieldText(pipeline, "version"),
                    FieldText(pipeline, "project"), FieldText(last, "id"), FieldText(last, "state"),
                    FieldText(last, "created_at")});
  }
  *terminal_.out << FormatTable({"NAME", "VERSION", "PROJECT", "LAST RUN", "STATE", "STARTED"},
                                rows);
  return kExitOk;
}

int ClientCommands::PipelinesShow() {
  auto api = Connect();
  if (!api) return Report(api.error());
  std::string path = "/pipelines/" + Segment(pipeline_flags_.name);
  if (pipeline_flags_.version > 0) path += "/versions/" + std::to_string(pipeline_flags_.version);
  auto answer = api->Get(path);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << "# " << answer->value("name", "") << " version "
                 << answer->value("shown_version", 0) << " of " << answer->value("version", 0)
                 << ", applied by " << answer->value("applied_by", "") << " at "
                 << answer->value("applied_at", "") << "\n"
                 << answer->value("yaml", "");
  return kExitOk;
}

int ClientCommands::PipelinesRun() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Post("/pipelines/" + Segment(pipeline_flags_.name) + "/runs", json::object());
  if (!answer) return Report(answer.error());
  return FollowRun(*api, *answer);
}

int ClientCommands::PipelinesRerun() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer =
      api->Post("/pipeline-runs/" + std::to_string(pipeline_flags_.run) + "/rerun", json::object());
  if (!answer) return Report(answer.error());
  return FollowRun(*api, *answer);
}

int ClientCommands::PipelinesStatus() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/pipeline-runs/" + std::to_string(pipeline_flags_.run));
  if (!answer) return Report(answer.error());
  if (pipeline_flags_.wait) {
    flags_.no_wait = false;
    return FollowRun(*api, *answer);
  }
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  PrintRun(*answer);
  return kExitOk;
}

int ClientCommands::FollowRun(ApiClient& api, json run) {
  const std::string id = std::to_string(run.value("id", int64_t{0}));
  if (flags_.no_wait) {
    if (flags_.json) {
      PrintJson(run);
    } else {
      *terminal_.out << "run " << id << " " << run.value("state", "") << "\n";
    }
    return kExitOk;
  }
  ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
  while (!Finished(run)) {
    auto [percent, message] = RunProgress(run);
    bar.Update(percent, "run " + id + ": " + message);
    if (wait_.sleep) {
      wait_.sleep(wait_.poll_interval);
    } else {
      std::this_thread::sleep_for(wait_.poll_interval);
    }
    auto fresh = api.Get("/pipeline-runs/" + id);
    if (!fresh) return Report(fresh.error());
    run = std::move(*fresh);
  }
  auto [percent, message] = RunProgress(run);
  bar.Update(percent, "run " + id + ": " + message);
  bar.Finish();
  if (flags_.json) {
    PrintJson(run);
  } else {
    PrintRun(run);
  }
  return run.value("state", "") == "succeeded" ? kExitOk : kExitFailure;
}

void ClientCommands::PrintRun(const json& run) {
  *terminal_.out << "run " << run.value("id", 0) << " of " << run.value("pipeline", "")
                 << " version " << run.value("version", 0) << ": " << run.value("state", "")
                 << " (trigger " << run.value("trigger", "") << ")\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& step : run.value("steps", json::array())) {
    std::string note = step.value("error", "");
    if (note.empty() && !step.value("log", "").empty()) {
      const std::string log = step.value("log", "");
      note = log.substr(log.rfind('\n') == std::string::npos ? 0 : log.rfind('\n') + 1);
    }
    rows.push_back({FieldText(step, "name"), FieldText(step, "type"), FieldText(step, "state"),
                    FieldText(step, "attempt"), FieldText(step, "seconds"),
                    OneLine(CellText(step.value("outputs", json::object())), 50),
                    OneLine(note, 70)});
  }
  *terminal_.out << FormatTable({"STEP", "TYPE", "STATE", "TRIES", "SECONDS", "OUTPUTS", "NOTE"},
                                rows);
  if (!run.value("error", "").empty())
    *terminal_.out << "error: " << run.value("error", "") << "\n";
}

int ClientCommands::PipelinesRuns() {
  auto api = Connect();
  if (!api) return Report(api.error());
  std::string path =
      "/pipelines/" + Segment(pipeline_flags_.name) + "/runs?limit=" + std::to_string(flags_.limit);
  if (!flags_.state.empty()) path += "&state=" + Segment(flags_.state);
  auto answer = api->Get(path);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& run : answer->value("runs", json::array())) {
    rows.push_back({FieldText(run, "id"), FieldText(run, "version"), FieldText(run, "state"),
                    FieldText(run, "trigger"), FieldText(run, "created_at"),
                    FieldText(run, "finished_at"), OneLine(FieldText(run, "error"), 60)});
  }
  *terminal_.out << FormatTable(
      {"RUN", "VERSION", "STATE", "TRIGGER", "CREATED", "FINISHED", "ERROR"}, rows);
  return kExitOk;
}

int ClientCommands::PipelinesCancel() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Post("/pipeline-runs/" + std::to_string(pipeline_flags_.run) + "/cancel",
                          json::object());
  if (!answer) return Report(answer.error());
  *terminal_.out << "run " << pipeline_flags_.run << " " << answer->value("state", "") << "\n";
  return kExitOk;
}

int ClientCommands::PipelinesWebhookToken() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer =
      api->Post("/pipelines/" + Segment(pipeline_flags_.name) + "/webhook-token", json::object());
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << "POST /api/v1/pipelines/" << pipeline_flags_.name
                 << "/webhook with header X-Aimass-Webhook-Token: "
                 << answer->value("webhook_token", "") << "\n  (shown once; keep it)\n";
  return kExitOk;
}

int ClientCommands::PipelinesDelete() {
  if (auto stop = ConfirmDelete("pipeline " + pipeline_flags_.name + " and its runs", flags_.yes)) {
    return *stop;
  }
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete("/pipelines/" + Segment(pipeline_flags_.name));
  if (!removed) return Report(removed.error());
  *terminal_.out << "deleted pipeline " << pipeline_flags_.name << "\n";
  return kExitOk;
}

int ClientCommands::PipelinesTypes() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/pipeline-step-types");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  for (const json& type : answer->value("step_types", json::array())) {
    *terminal_.out << type.value("name", "") << ": " << type.value("help", "") << "\n";
    for (const json& param : type.value("params", json::array())) {
      *terminal_.out << "  with." << param.value("name", "") << " (" << param.value("type", "")
                     << (param.value("required", false) ? ", required" : "")
                     << "): " << param.value("help", "") << "\n";
    }
    for (const json& output : type.value("outputs", json::array())) {
      *terminal_.out << "  outputs." << output.value("name", "") << " (" << output.value("type", "")
                     << "): " << output.value("help", "") << "\n";
    }
  }
  return kExitOk;
}

}  // namespace aimass::cli
