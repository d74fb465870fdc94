// The client verbs of `aimass`: login, data ..., jobs ..., models ... (everything but
// serve, worker and admin, which main() owns). Each is a thin client of the REST API in
// docs/api.md.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/config.h"
#include "cli/job_waiter.h"

namespace aimass::cli {

// Where commands read and write, so tests can capture them.
struct Terminal {
  std::istream* in;
  std::ostream* out;
  std::ostream* err;
  bool stdin_is_terminal = false;
  bool stderr_is_terminal = false;

  // std::cin, std::cout, std::cerr and isatty() on fds 0 and 2.
  static Terminal Process();
};

// Exit codes: 0 done, 1 the server or the job said no, 2 the command line is wrong,
// 130 interrupted while waiting.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Registers the client subcommands (and the global --json, --server, --token flags) on
// the App main() builds, remembers what the parsed command line chose, and runs it.
// Usage: `ClientCommands client; client.Register(app); app.parse(argc, argv);
// if (client.Selected()) return client.Run();`. Not thread-safe.
class ClientCommands {
 public:
  ClientCommands();  // the process environment and standard streams
  ClientCommands(Environment env, Terminal terminal, WaitOptions wait = {});

  void Register(CLI::App& app);
  // True once app.parse() chose one of the subcommands Register added.
  bool Selected() const { return static_cast<bool>(action_); }
  // Runs the chosen command and returns the process exit code.
  int Run();

 private:
  // Everything the command line can set, filled by CLI11.
  struct Flags {
    bool json = false;
    std::string server, token, ca_cert;
    std::string file, name, format, delimiter, ref, output, sql_file, new_name, state, kind;
    std::vector<std::string> types;
    bool no_header = false, no_wait = false, yes = false, append = false;
    int64_t offset = 0, limit = 20, job_id = 0;
  };

  // What `users ...` and `tokens ...` read from the command line (users_commands.cc).
  struct UserFlags {
    std::string name, user, label, scopes = "read,write", endpoint;
    bool admin = false, password_stdin = false;
    int64_t expires_in_days = 90, token_id = 0;
  };

  // What the `models ...` verbs read from the command line (models_commands.cc).
  struct ModelFlags {
    std::string ref, alias, key_value, key, text, file, name, output, member, query, metric, task;
    std::vector<std::string> tags, features, classes;
    bool yes = false;
  };

  void RegisterData(CLI::App& app);
  void RegisterJobs(CLI::App& app);
  void RegisterModels(CLI::App& app);
  void RegisterTrain(CLI::App& app);
  void RegisterEndpoints(CLI::App& app);
  void RegisterLedger(CLI::App& app);
  void RegisterUsers(CLI::App& app);
  // `aimass projects ...` (projects_commands.cc).
  void RegisterProjects(CLI::App& app);
  int ProjectsList();
  int ProjectsCreate();
  int ProjectsMembers();
  int ProjectsAddMember();
  int ProjectsRemoveMember();
  int ProjectsDelete();
  struct ProjectFlags {
    std::string name, description, user, role = "viewer";
  } project_flags_;
  // `aimass sources ...` (sources_commands.cc).
  void RegisterSources(CLI::App& app);
  int SourcesList();
  int SourcesShow();
  int SourcesCreate();
  int SourcesRun();
  int SourcesPause();
  int SourcesResume();
  int SourcesSetEnabled(const char* verb, const char* done);
  int SourcesDelete();
  struct SourceFlags {
    std::string name, kind, dataset, project, config;
    std::vector<std::string> sets;
  } source_flags_;
  // `aimass pipelines ...` (pipelines_commands.cc).
  void RegisterPipelines(CLI::App& app);
  int PipelinesApply();
  int PipelinesList();
  int PipelinesShow();
  int PipelinesRun();
  int PipelinesRuns();
  int PipelinesStatus();
  int PipelinesCancel();
  int PipelinesRerun();
  int PipelinesWebhookToken();
  int PipelinesDelete();
  int PipelinesTypes();
  // Follows a run until it ends (a progress bar of its steps) unless --no-wait, prints its
  // steps, and returns kExitOk only when it succeeded.
  int FollowRun(ApiClient& api, nlohmann::json run);
  void PrintRun(const nlohmann::json& run);
  struct PipelineFlags {
    std::string file, name, project;
    bool check = false, wait = false;
    int64_t version = 0, run = 0;
  } pipeline_flags_;
  // `aimass keys show|rotate` (keys_commands.cc).
  void RegisterKeys(CLI::App& app);
  int KeysShow();
  int KeysRotate();
  struct KeyFlags {
    bool new_data_key = false;
    std::string new_master_key_file;
  } key_flags_;
  // `aimass import-hosts ...` and `aimass data import-url` (import_hosts_commands.cc); call
  // after RegisterData.
  void RegisterImportHosts(CLI::App& app);
  int DataImportUrl();
  int ImportHostsList();
  int ImportHostsAdd();
  int ImportHostsRemove();
  std::string import_target_;  // the HOST of `import-hosts add|remove`, the URL of import-url
  // Makes `sub` run `command` when chosen.
  void On(CLI::App* sub, int (ClientCommands::*command)());

  int Login();
  int DataImport();
  int DataList();
  int DataShow();
  int DataPreview();
  int DataStats();
  int DataExport();
  int DataDelete();
  int DataTransform();
  int JobsList();
  int JobsShow();
  int JobsWatch();
  int JobsCancel();
  int JobsLog();
  int ModelsList();
  int ModelsShow();
  int ModelsAlias();
  int ModelsUnalias();
  int ModelsTag();
  int ModelsUntag();
  int ModelsDescribe();
  int ModelsDelete();
  int ModelsExport();
  int ModelsImport();
  int ModelsImportXgboost();
  int ModelsDownload();
  int Train();
  int Deploy();
  int EndpointsList();
  int EndpointsShow();
  int EndpointsDelete();
  int Predict();
  int LedgerHead();
  int LedgerLog();
  int UsersCreate();
  int UsersList();
  int UsersPasswd();
  // The first line of standard input (a password), without its line end.
  std::string ReadSecretLine();
  int TokensCreate();
  int TokensList();
  int TokensRevoke();
  // Asks "delete WHAT? [y/N]" on a terminal unless `yes`. nullopt: go ahead; otherwise the
  // exit code to return (kExitUsage without a terminal to ask on, kExitFailure on "no").
  std::optional<int> ConfirmDelete(const std::string& what, bool yes);

  // An ApiClient for the resolved server and token, or an error (not logged in, bad URL).
  Result<ApiClient> Connect();
  // Prints "error: <message>" and returns kExitFailure.
  int Report(const Error& error);
  // Prints "error: <message>" and returns kExitUsage.
  int Usage(const std::string& message);
  void PrintJson(const nlohmann::json& value);
  // Follows a job the server just started ({"job": Job}) unless --no-wait, then prints
  // its outcome.
  int FollowJob(ApiClient& api, const nlohmann::json& answer);
  int Outcome(const nlohmann::json& job);

  Environment env_;
  Terminal terminal_;
  // `aimass train`'s options (docs/api.md, "Training runs").
  struct TrainFlags {
    std::string dataset, target, task = "auto", metric, budget = "60s", search = "bayes",
                                 ensemble = "auto", register_as;
    std::vector<std::string> learners, exclude;
    int cv = 5;
    double holdout = 0;
    int64_t seed = 42;
    int max_trials = 0;
  };
  // `aimass deploy`, `aimass endpoints ...` and `aimass predict` (endpoint_commands.cc).
  struct EndpointFlags {
    std::string model, endpoint, canary, shadow, name, input, output, dataset, into;
    bool update = false, yes = false, keep = false;
  };
  WaitOptions wait_;
  Flags flags_;
  UserFlags user_flags_;
  EndpointFlags endpoints_;
  ModelFlags models_;
  TrainFlags train_;
  std::function<int()> action_;
};

// Prints a CLI11 parse error the way CLI11 does and returns the exit code aimass uses for
// it: 0 for --help, kExitUsage otherwise. For main()'s `catch (const CLI::ParseError& e)`.
int ExitForParseError(CLI::App& app, const CLI::ParseError& error);

}  // namespace aimass::cli
