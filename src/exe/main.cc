// The one aimass binary: the server, the data-directory admin commands, and the client
// verbs (src/cli/).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string_view>

#include "cli/client_commands.h"
#include "exe/ledger_verify.h"
#include "exe/server_main.h"

namespace {

// XGBoost runs on OpenMP, whose idle threads spin between parallel regions by default. On a
// busy 2-core machine that made a 1 s training take 15-22 s (each region waits for a thread
// that lost its core). libgomp reads OMP_WAIT_POLICY once, when it loads, so `serve` sets it
// and starts itself again; a value the user set is kept.
void UsePassiveOpenMpThreads(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "serve" || std::getenv("OMP_WAIT_POLICY")) return;
  ::setenv("OMP_WAIT_POLICY", "passive", 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: then run as we are
}

}  // namespace

int main(int argc, char** argv) {
  UsePassiveOpenMpThreads(argc, argv);
  CLI::App app{"aimass: a self-hosted AI model as a service platform"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aimass 0.1.0");

  aimass::exe::ServeFlags serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the platform (REST API, jobs, workers)");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Data directory")->capture_default_str();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any)")
      ->capture_default_str();
  serve_cmd->add_option("--workers", serve.workers, "Job worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve_cmd
      ->add_option("--io-threads", serve.io_threads, "HTTP threads (0: one per core, at least 2)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve_cmd->add_option("--max-body-bytes", serve.max_body_bytes, "Largest JSON request body")
      ->capture_default_str();
  serve_cmd->add_option("--max-upload-bytes", serve.max_upload_bytes, "Largest file upload")
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-bundle-member-bytes", serve.max_bundle_member_bytes,
                   "Largest member of an imported model bundle (0: --max-upload-bytes)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--job-lease-seconds", serve.job_lease_seconds,
                   "A job whose worker died is re-queued after this long")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--transform-timeout-seconds", serve.transform_timeout_seconds,
                   "Time limit of one SQL transform")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve_cmd
      ->add_option("--prediction-log-sample", serve.prediction_log_sample,
                   "The share of predictions the prediction log keeps (0..1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  serve_cmd
      ->add_option("--batch-max-rows", serve.batch_max_rows,
                   "Dynamic batching: predict requests that arrive together are predicted in "
                   "one call of up to this many records (0: off; it needs --io-threads above it)")
      ->check(CLI::Range(int64_t{0}, int64_t{100'000}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--batch-delay-us", serve.batch_delay_us,
                   "Dynamic batching: how long a batch's first request waits for others")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}))
      ->capture_default_str();
  serve_cmd
      ->add_option("--engine-memory-limit", serve.engine_memory_limit,
                   "DuckDB memory limit per job, e.g. 2GB")
      ->capture_default_str();
  serve_cmd
      ->add_option("--auth-failure-limit", serve.auth_failure_limit,
                   "Invalid tokens and failed logins a client address may send per minute "
                   "before its requests "
                   "get 429 for the rest of that minute (0: no limit)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  serve_cmd->add_flag("!--no-access-log", serve.access_log,
                      "Log no line per answered request (errors and events are still logged)");
  serve_cmd->add_option("--master-key-file", serve.master_key_file,
                        "File holding the master key that encrypts blobs at rest (64 hex "
                        "characters, mode 0600); default: AIMASS_MASTER_KEY, else "
                        "<data-dir>/keys/master.key, made on the first start");
  serve_cmd->add_option("--tls-cert", serve.tls_cert,
                        "PEM certificate (chain) file: serve HTTPS only (needs --tls-key)");
  serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key file of --tls-cert");
  serve_cmd
      ->add_option("--tls-handshake-timeout", serve.tls_handshake_timeout_seconds,
                   "Seconds a client has to finish the TLS handshake")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  serve_cmd->add_option("--management-listen", serve.management_listen,
                        "HOST:PORT of a second listener that alone serves the admin routes and "
                        "GET /metrics (default: everything on --listen)");
  serve_cmd->add_option("--demo-data", serve.demo_data,
                        "Folder of CSV files imported as datasets on the first start");
  serve_cmd->add_option("--ui-dir", serve.ui_dir,
                        "Folder of the built web console, served at / (default: the one this "
                        "build made, " AIMASS_DEFAULT_UI_DIR ")");

  std::string admin_data_dir = ".aimass";
  auto* admin_cmd = app.add_subcommand("admin", "Work on a data directory directly");
  admin_cmd->require_subcommand(1);
  auto* new_token = admin_cmd->add_subcommand(
      "new-token", "Replace the admin's API token (the old one stops working)");
  new_token->add_option("--data-dir", admin_data_dir, "Data directory")->capture_default_str();

  aimass::cli::ClientCommands client;
  client.Register(app);

  // `ledger verify` reads the data directory itself; the other ledger verbs are clients.
  aimass::exe::LedgerVerifyFlags verify;
  auto* verify_cmd = app.get_subcommand("ledger")->add_subcommand(
      "verify", "Check offline that no ledger entry was edited, removed, reordered or inserted");
  verify_cmd->add_option("--data-dir", verify.data_dir, "Data directory")->capture_default_str();
  verify_cmd->add_option("--trusted-head", verify.trusted_head,
                         "A head saved earlier (aimass ledger head -o FILE): the log must still "
                         "hold exactly what it signed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return aimass::cli::ExitForParseError(app, e);
  }
  if (serve_cmd->parsed()) return aimass::exe::Serve(serve);
  if (new_token->parsed()) return aimass::exe::NewAdminToken(admin_data_dir);
  if (verify_cmd->parsed()) return aimass::exe::VerifyLedger(verify);
  if (client.Selected()) return client.Run();
  return 2;
}
