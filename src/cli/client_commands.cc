#include "cli/client_commands.h"

#include <unistd.h>

#include <iostream>

#include "cli/server_url.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kImportFormats = {"csv", "tsv", "jsonl", "parquet"};
const std::vector<std::string> kJobStates = {"queued", "running", "succeeded", "failed",
                                             "cancelled"};

}  // namespace

Terminal Terminal::Process() {
  return Terminal{&std::cin, &std::cout, &std::cerr, ::isatty(STDIN_FILENO) == 1,
                  ::isatty(STDERR_FILENO) == 1};
}

ClientCommands::ClientCommands()
    : ClientCommands(Environment::FromProcess(), Terminal::Process()) {}

ClientCommands::ClientCommands(Environment env, Terminal terminal, WaitOptions wait)
    : env_(std::move(env)), terminal_(terminal), wait_(std::move(wait)) {}

void ClientCommands::On(CLI::App* sub, int (ClientCommands::*command)()) {
  sub->callback([this, command] { action_ = [this, command] { return (this->*command)(); }; });
}

void ClientCommands::Register(CLI::App& app) {
  app.add_flag("--json", flags_.json, "Print the server's JSON answers instead of tables");
  app.add_option("--server", flags_.server,
                 "Server URL, e.g. http://127.0.0.1:8080 (default: AIMASS_URL, then the "
                 "saved login)");
  app.add_option("--token", flags_.token,
                 "API token (default: AIMASS_TOKEN, then the saved login)");
  app.add_option("--ca-cert", flags_.ca_cert,
                 "For an https server: the PEM CA certificate to trust instead of the system's "
                 "(default: AIMASS_CA_CERT, then the saved login)");

  CLI::App* login = app.add_subcommand(
      "login", "Check a server URL and token, and save them to ~/.config/aimass/config.json");
  login->fallthrough();  // --server and --token belong to the parent app
  login->footer("Example: aimass login --server http://127.0.0.1:8080 --token <token>");
  On(login, &ClientCommands::Login);

  RegisterData(app);
  RegisterJobs(app);
  RegisterModels(app);
  RegisterTrain(app);
  RegisterEndpoints(app);
  RegisterLedger(app);
  RegisterProjects(app);
  RegisterPipelines(app);
  RegisterUsers(app);
  RegisterKeys(app);
  RegisterImportHosts(app);
  RegisterSources(app);
}

void ClientCommands::RegisterData(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Import, inspect, export and transform datasets");
  data->fallthrough();  // inherited: `aimass data list --json` reaches the global flags
  data->require_subcommand(1);

  CLI::App* import = data->add_subcommand(
      "import", "Upload a file (csv, tsv, jsonl, parquet) as a new dataset version");
  import->add_option("file", flags_.file, "The file to upload")->required();
  import->add_option("--name", flags_.name, "Dataset name")->required();
  import->add_option("--project", project_flags_.name,
                     "The project a new dataset joins (default: 'default')");
  import->add_option("--format", flags_.format, "File format (default: from the extension)")
      ->check(CLI::IsMember(kImportFormats));
  import->add_option("--type", flags_.types, "Column type, repeatable: --type Age:BIGINT")
      ->allow_extra_args(false)  // one value per --type, so a positional after it is safe
      ->delimiter(',');
  import->add_option("--delimiter", flags_.delimiter, "Field separator of csv/tsv (\\t for tab)");
  import->add_flag("--no-header", flags_.no_header, "The first line is data, not column names");
  import->add_flag("--append", flags_.append,
                   "The new version holds the newest version's rows followed by the file's");
  import->add_flag("--no-wait", flags_.no_wait, "Print the job id and return at once");
  On(import, &ClientCommands::DataImport);

  On(data->add_subcommand("list", "List datasets"), &ClientCommands::DataList);

  CLI::App* show = data->add_subcommand("show", "Show a dataset's versions and schema");
  show->add_option("dataset", flags_.ref, "NAME or NAME@V")->required();
  On(show, &ClientCommands::DataShow);

  CLI::App* preview = data->add_subcommand("preview", "Print the first rows as a table");
  preview->add_option("dataset", flags_.ref, "NAME or NAME@V")->required();
  preview->add_option("--offset", flags_.offset, "First row (from 0)")
      ->check(CLI::NonNegativeNumber);
  preview->add_option("--limit", flags_.limit, "Rows to show (default 20, at most 10000)")
      ->check(CLI::Range(1, 10000));
  On(preview, &ClientCommands::DataPreview);

  CLI::App* stats = data->add_subcommand("stats", "Print statistics, one line per column");
  stats->add_option("dataset", flags_.ref, "NAME or NAME@V")->required();
  On(stats, &ClientCommands::DataStats);

  CLI::App* exporter = data->add_subcommand("export", "Download a dataset version to a file");
  exporter->add_option("dataset", flags_.ref, "NAME or NAME@V")->required();
  exporter->add_option("-o,--output", flags_.output, "File to write")->required();
  exporter->add_option("--format", flags_.format, "csv or parquet (default: from -o's extension)")
      ->check(CLI::IsMember({"csv", "parquet"}));
  On(exporter, &ClientCommands::DataExport);

  CLI::App* remove =
      data->add_subcommand("delete", "Delete one version (NAME@V) or a whole dataset (NAME)");
  remove->add_option("dataset", flags_.ref, "NAME or NAME@V")->required();
  remove->add_flag("-y,--yes", flags_.yes, "Do not ask for confirmation");
  On(remove, &ClientCommands::DataDelete);

  CLI::App* transform = data->add_subcommand(
      "transform", "Run a SQL SELECT over a version (the view `input`), making a new version");
  transform->add_option("dataset", flags_.ref, "Input: NAME or NAME@V")->required();
  transform->add_option("--sql", flags_.sql_file, "File with the SQL, or - for stdin")->required();
  transform->add_option("--as", flags_.new_name,
                        "Output dataset (default: a new version of the input's dataset)");
  transform->add_flag("--no-wait", flags_.no_wait, "Print the job id and return at once");
  On(transform, &ClientCommands::DataTransform);
}

void ClientCommands::RegisterJobs(CLI::App& app) {
  CLI::App* jobs = app.add_subcommand("jobs", "List, follow and cancel background jobs");
  jobs->fallthrough();
  jobs->require_subcommand(1);

  CLI::App* list = jobs->add_subcommand("list", "List jobs, newest first");
  list->add_option("--state", flags_.state, "Only jobs in this state")
      ->check(CLI::IsMember(kJobStates));
  list->add_option("--kind", flags_.kind, "Only jobs of this kind, e.g. dataset.import");
  list->add_option("--limit", flags_.limit, "How many (default 20)")->check(CLI::Range(1, 1000));
  On(list, &ClientCommands::JobsList);

  struct Verb {
    const char* name;
    const char* help;
    int (ClientCommands::*command)();
  };
  for (const Verb& verb :
       {Verb{"show", "Show one job", &ClientCommands::JobsShow},
        Verb{"watch", "Follow a job with a progress bar until it ends", &ClientCommands::JobsWatch},
        Verb{"cancel", "Ask a job to stop", &ClientCommands::JobsCancel},
        Verb{"log", "Print a job's log", &ClientCommands::JobsLog}}) {
    CLI::App* sub = jobs->add_subcommand(verb.name, verb.help);
    sub->add_option("id", flags_.job_id, "Job id")->required()->check(CLI::PositiveNumber);
    On(sub, verb.command);
  }
}

int ClientCommands::Run() {
  if (!action_) return Usage("no command chosen; see `aimass --help`");
  return action_();
}

Result<ApiClient> ClientCommands::Connect() {
  auto server = flags_.server.empty() ? std::nullopt : std::optional(flags_.server);
  auto token = flags_.token.empty() ? std::nullopt : std::optional(flags_.token);
  auto ca_cert = flags_.ca_cert.empty() ? std::nullopt : std::optional(flags_.ca_cert);
  AIMASS_ASSIGN_OR_RETURN(Credentials credentials,
                          ResolveCredentials(server, token, env_, ca_cert));
  AIMASS_ASSIGN_OR_RETURN(ServerUrl url, ParseServerUrl(credentials.server));
  HttpClientOptions options;
  options.ca_cert_file = credentials.ca_cert;
  return ApiClient(std::move(url), credentials.token, options);
}

int ClientCommands::Report(const Error& error) {
  *terminal_.err << "error: " << error.message << "\n";
  return kExitFailure;
}

int ClientCommands::Usage(const std::string& message) {
  *terminal_.err << "error: " << message << "\n";
  return kExitUsage;
}

void ClientCommands::PrintJson(const json& value) { *terminal_.out << value.dump(2) << "\n"; }

std::optional<int> ClientCommands::ConfirmDelete(const std::string& what, bool yes) {
  if (yes) return std::nullopt;
  if (!terminal_.stdin_is_terminal) {
    return Usage("refusing to delete " + what + " without confirmation; pass --yes");
  }
  *terminal_.err << "delete " << what << "? [y/N] " << std::flush;
  std::string reply;
  std::getline(*terminal_.in, reply);
  if (reply == "y" || reply == "Y" || reply == "yes") return std::nullopt;
  *terminal_.err << "nothing deleted\n";
  return kExitFailure;
}

int ClientCommands::Login() {
  std::string server = flags_.server.empty() ? env_.url : flags_.server;
  std::string token = flags_.token.empty() ? env_.token : flags_.token;
  if (server.empty() || token.empty()) {
    return Usage(
        "login needs both --server and --token, e.g. `aimass login --server "
        "http://127.0.0.1:8080 --token <token>`");
  }
  auto url = ParseServerUrl(server);
  if (!url) return Usage(url.error().message);
  std::string ca_cert = flags_.ca_cert.empty() ? env_.ca_cert : flags_.ca_cert;
  if (!ca_cert.empty()) ca_cert = std::filesystem::absolute(ca_cert).string();  // saved below
  HttpClientOptions options;
  options.ca_cert_file = ca_cert;
  ApiClient api(*url, token, options);
  auto whoami = api.Get("/whoami");
  if (!whoami) return Report(whoami.error());
  auto path = ConfigPath(env_);
  if (!path) return Report(path.error());
  // Save the normalised URL so later commands read back exactly what was checked.
  if (auto saved = SaveConfig(*path, Credentials{url->ToString(), token, ca_cert}); !saved) {
    return Report(saved.error());
  }
  if (flags_.json) {
    PrintJson(*whoami);
    return kExitOk;
  }
  *terminal_.out << "logged in to " << url->ToString() << " as "
                 << whoami->value("user", std::string("?"))
                 << (whoami->value("is_admin", false) ? " (admin)" : "") << "; saved to "
                 << path->string() << "\n";
  if (!env_.url.empty() || !env_.token.empty()) {
    *terminal_.err << "note: AIMASS_URL / AIMASS_TOKEN are set and win over the saved login\n";
  }
  return kExitOk;
}

int ClientCommands::FollowJob(ApiClient& api, const json& answer) {
  const json& job = answer.contains("job") ? answer["job"] : answer;
  int64_t id = job.value("id", int64_t{0});
  if (flags_.no_wait) {
    if (flags_.json) {
      PrintJson(answer);
    } else {
      *terminal_.out << "job " << id << " " << job.value("state", std::string("queued"))
                     << "; follow it with `aimass jobs watch " << id << "`\n";
    }
    return kExitOk;
  }
  InterruptNotice notice(id);
  ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
  auto finished = WaitForJob(api, id, bar, wait_);
  if (!finished) return Report(finished.error());
  return Outcome(*finished);
}

int ClientCommands::Outcome(const json& job) {
  int64_t id = job.value("id", int64_t{0});
  std::string state = job.value("state", "");
  if (flags_.json) PrintJson(job);
  if (state == "failed") {
    std::string why = job.contains("error") && job["error"].is_string()
                          ? job["error"].get<std::string>()
                          : "no reason given";
    return Report(Error{ErrorCode::kInternal, "job " + std::to_string(id) + " failed: " + why});
  }
  if (state == "cancelled") {
    return Report(Error{ErrorCode::kCancelled, "job " + std::to_string(id) + " was cancelled"});
  }
  if (flags_.json) return kExitOk;
  const json& result = job.contains("result") ? job["result"] : json();
  if (result.is_object() && result.contains("ref")) {
    *terminal_.out << result.value("ref", "") << ": " << result.value("row_count", int64_t{0})
                   << " rows, " << result.value("column_count", int64_t{0}) << " columns\n";
  } else {
    *terminal_.out << "job " << id << " " << state << "\n";
  }
  return kExitOk;
}

int ExitForParseError(CLI::App& app, const CLI::ParseError& error) {
  int code = app.exit(error);  // prints help, or the error and a hint, like CLI11 does
  return code == 0 ? kExitOk : kExitUsage;
}

}  // namespace aimass::cli
