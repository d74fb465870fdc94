// `aimass jobs ...`: the job verbs of ClientCommands.
#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string ProgressText(const json& job) {
  return job.contains("progress") && job["progress"].is_number()
             ? std::to_string(job["progress"].get<int>()) + "%"
             : "";
}

}  // namespace

int ClientCommands::JobsList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  std::string query = "?limit=" + std::to_string(flags_.limit);
  if (!flags_.state.empty()) query += "&state=" + UrlEncode(flags_.state);
  if (!flags_.kind.empty()) query += "&kind=" + UrlEncode(flags_.kind);
  auto answer = api->Get("/jobs" + query);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& job : answer->value("jobs", json::array())) {
    std::string message =
        job.value("state", "") == "failed" ? FieldText(job, "error") : FieldText(job, "message");
    rows.push_back({FieldText(job, "id"), FieldText(job, "kind"), FieldText(job, "state"), ProgressText(job),
                    OneLine(message, 50), FieldText(job, "created_at")});
  }
  if (rows.empty()) {
    *terminal_.out << "no jobs" << (flags_.state.empty() ? "" : " in state " + flags_.state)
                   << "\n";
    return kExitOk;
  }
  *terminal_.out << FormatTable({"ID", "KIND", "STATE", "PROGRESS", "MESSAGE", "CREATED"}, rows);
  return kExitOk;
}

int ClientCommands::JobsShow() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto job = api->Get("/jobs/" + std::to_string(flags_.job_id));
  if (!job) return Report(job.error());
  if (flags_.json) {
    PrintJson(*job);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"id", FieldText(*job, "id")},
      {"kind", FieldText(*job, "kind")},
      {"state", FieldText(*job, "state")},
      {"progress", ProgressText(*job)},
      {"message", FieldText(*job, "message")},
      {"attempts", FieldText(*job, "attempts")},
      {"created", FieldText(*job, "created_at")},
      {"started", FieldText(*job, "started_at")},
      {"finished", FieldText(*job, "finished_at")},
      {"params", FieldText(*job, "params")},
      {"result", FieldText(*job, "result")},
      {"error", FieldText(*job, "error")},
  };
  std::erase_if(rows, [](const auto& row) { return row[1].empty(); });
  *terminal_.out << FormatTable({}, rows);
  return kExitOk;
}

int ClientCommands::JobsWatch() {
  auto api = Connect();
  if (!api) return Report(api.error());
  InterruptNotice notice(flags_.job_id);
  ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
  auto job = WaitForJob(*api, flags_.job_id, bar, wait_);
  if (!job) return Report(job.error());
  return Outcome(*job);
}

int ClientCommands::JobsCancel() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto job = api->Post("/jobs/" + std::to_string(flags_.job_id) + "/cancel", json::object());
  if (!job) return Report(job.error());
  if (flags_.json) {
    PrintJson(*job);
    return kExitOk;
  }
  std::string state = job->value("state", "");
  *terminal_.out << "job " << flags_.job_id
                 << (state == "cancelled"
                         ? " cancelled"
                         : " asked to stop; it stops at its next check (state " + state + ")")
                 << "\n";
  return kExitOk;
}

int ClientCommands::JobsLog() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto log = api->GetText("/jobs/" + std::to_string(flags_.job_id) + "/log");
  if (!log) return Report(log.error());
  *terminal_.out << *log;
  if (!log->empty() && log->back() != '\n') *terminal_.out << "\n";
  return kExitOk;
}

}  // namespace aimass::cli
