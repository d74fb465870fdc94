#include "exe/server_main.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/routes.h"
#include "blob/encrypted_blob_store.h"
#include "common/files.h"
#include "console/console_files.h"
#include "data/dataset_service.h"
#include "data/sources/source_runner.h"
#include "exe/server_logging.h"
#include "http/server.h"
#include "jobs/worker_pool.h"
#include "monitor/process_metrics.h"
#include "pipelines/pipeline_service.h"
#include "pipelines/steps/builtin_steps.h"
#include "registry/registry_service.h"
#include "security/crypto/key_ring.h"
#include "security/ledger/sealer.h"
#include "security/token_authority.h"
#include "serve/endpoint_service.h"
#include "store/sqlite_store.h"

namespace aimass::exe {
namespace fs = std::filesystem;

namespace {

constexpr const char* kVersion = "0.1.0";

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen,
                                                     std::string_view flag = "--listen") {
  size_t colon = listen.rfind(':');
  unsigned port = 0;
  if (colon != std::string::npos) {
    auto [end, ec] =
        std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port);
    if (ec == std::errc() && end == listen.data() + listen.size() && port <= 65535) {
      return std::make_pair(listen.substr(0, colon), static_cast<uint16_t>(port));
    }
  }
  return Fail(ErrorCode::kInvalidArgument, std::string(flag) + " '" + listen +
                                               "' must be HOST:PORT, e.g. 127.0.0.1:8080 (port "
                                               "0: any)");
}

int Die(const Error& error) {
  std::cerr << "aimass: " << error.message << "\n";
  return 1;
}

// Blocks SIGTERM/SIGINT in every thread, so one thread can wait for them with sigwait.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Imports each CSV of `folder` as a dataset named after the file.
void ImportDemoData(data::DatasetService& datasets, const fs::path& folder) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.path().extension() != ".csv") continue;
    data::ImportRequest request;
    request.name = entry.path().stem().string();
    request.file = fs::absolute(entry.path());
    request.server_side = true;
    request.filename = entry.path().filename().string();
    if (auto job = datasets.StartImport(request); !job) {
      spdlog::warn("demo dataset {}: {}", request.name, job.error().message);
    }
  }
}

// The ledger's signing key (created on the first start, in keys/, 0700) and its sealer,
// which signs a head over every change within half a second.
Result<std::unique_ptr<security::ledger::LedgerSealer>> OpenLedger(const fs::path& data_dir,
                                                                   store::MetadataStore& store,
                                                                   const Clock& clock) {
  const fs::path keys = data_dir / "keys";
  AIMASS_RETURN_IF_ERROR(MakeDirectories(keys));
  std::error_code ec;
  fs::permissions(keys, fs::perms::owner_all, fs::perm_options::replace, ec);
  using security::ledger::LedgerSigningKey;
  AIMASS_ASSIGN_OR_RETURN(std::shared_ptr<const LedgerSigningKey> key,
                          LedgerSigningKey::LoadOrCreate(keys / security::ledger::kLedgerKeyFile));
  AIMASS_ASSIGN_OR_RETURN(auto sealer,
                          security::ledger::LedgerSealer::Open(store, std::move(key), clock));
  if (auto sealed = sealer->Seal(); !sealed && sealed.error().code != ErrorCode::kNotFound) {
    spdlog::error("{}", sealed.error().message);
  }
  sealer->SealEvery(std::chrono::milliseconds(500));
  return sealer;
}

}  // namespace

int Serve(const ServeFlags& flags) {
  sigset_t stop_signals = BlockStopSignals();
  UseBufferedServerLog();
  auto listen = ParseListen(flags.listen);
  if (!listen) return Die(listen.error());
  std::optional<std::pair<std::string, uint16_t>> management;
  if (!flags.management_listen.empty()) {
    auto parsed = ParseListen(flags.management_listen, "--management-listen");
    if (!parsed) return Die(parsed.error());
    management = *parsed;
  }
  if (auto paired = http::CheckTlsFlags(flags.tls_cert, flags.tls_key); !paired) {
    return Die(paired.error());
  }
  const fs::path data_dir = fs::absolute(flags.data_dir);
  for (const char* sub : {"", "blobs", "uploads", "tmp", "logs"}) {
    if (auto made = MakeDirectories(data_dir / sub); !made) return Die(made.error());
  }
  std::error_code ec;
  // The master key first: with a wrong one the server stops before it touches any data.
  auto master = security::crypto::LoadMasterKey({data_dir, flags.master_key_file});
  if (!master) return Die(master.error());
  api::MasterKeyInfo master_info{master->source(), false};
  {
    const char* env = std::getenv(std::string(security::crypto::kMasterKeyEnvVar).c_str());
    const fs::path in_data_dir = security::crypto::DefaultMasterKeyPath(data_dir);
    master_info.in_data_dir =
        (env == nullptr || *env == '\0') &&
        (flags.master_key_file.empty() || fs::equivalent(flags.master_key_file, in_data_dir, ec));
  }
  auto keys = security::crypto::KeyRing::Open(data_dir, std::move(*master));
  if (!keys) return Die(keys.error());
  fs::remove_all(data_dir / "tmp", ec);  // leftovers of a crash: partial uploads, spills
  (void)MakeDirectories(data_dir / "tmp");

  auto store = store::SqliteStore::Open(data_dir / "aimass.db");
  if (!store) return Die(store.error());
  auto local_blobs = blob::LocalBlobStore::Open(data_dir / "blobs");
  if (!local_blobs) return Die(local_blobs.error());
  auto blobs = std::make_unique<blob::EncryptedBlobStore>(std::move(*local_blobs), **keys);
  if (auto legacy = blobs->EncryptLegacyBlobs(); !legacy) {
    return Die(legacy.error());
  } else if (*legacy > 0) {
    spdlog::info("encrypted {} blobs written before encryption at rest was on", *legacy);
  }
  const Clock& clock = SystemClock::Instance();

  data::DataOptions data_options;
  data_options.uploads_dir = data_dir / "uploads";
  data_options.engine_temp_dir = data_dir / "tmp" / "duckdb";
  data_options.engine_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  data_options.engine_memory_limit = flags.engine_memory_limit;
  data_options.transform_timeout = std::chrono::seconds(flags.transform_timeout_seconds);
  data_options.max_download_bytes = flags.max_upload_bytes;
  data::DatasetService datasets(**store, *blobs, clock, data_options);
  if (auto collected = datasets.CollectGarbage(); !collected) return Die(collected.error());

  registry::RegistryOptions registry_options;
  registry_options.bundle.max_member_bytes =
      flags.max_bundle_member_bytes != 0 ? flags.max_bundle_member_bytes : flags.max_upload_bytes;
  registry::RegistryService models(**store, *blobs, clock, registry_options);

  jobs::WorkerOptions worker_options;
  worker_options.threads = flags.workers;
  worker_options.lease_millis = flags.job_lease_seconds * 1000LL;
  jobs::WorkerPool pool(**store, clock, worker_options);
  datasets.RegisterJobs(pool);
  train::TrainingServiceOptions training_options;
  training_options.threads = data_options.engine_threads;
  training_options.engine_memory_limit = flags.engine_memory_limit;
  training_options.engine_temp_dir = data_options.engine_temp_dir;
  training_options.aimass_version = kVersion;
  train::TrainingService training(**store, *blobs, models, clock, training_options);
  training.RegisterJobs(pool);

  monitor::MetricsRegistry metrics;
  monitor::RegisterProcessMetrics(metrics);
  serve::ModelLoader loader(models);
  serve::PredictionLogOptions log_options;
  log_options.dir = data_dir / "predictions";
  log_options.sample_rate = flags.prediction_log_sample;
  log_options.keys = keys->get();  // prediction logs are encrypted at rest too
  serve::PredictionLog prediction_log(log_options, clock);
  serve::EndpointServiceOptions endpoint_options;
  endpoint_options.batching.max_rows = flags.batch_max_rows;
  endpoint_options.batching.max_delay = std::chrono::microseconds(flags.batch_delay_us);
  serve::EndpointService endpoints(**store, loader, prediction_log, metrics, clock,
                                   endpoint_options);
  serve::BatchPredictionOptions batch_options;
  batch_options.threads = data_options.engine_threads;
  batch_options.temp_dir = data_dir / "tmp" / "batch";
  serve::BatchPredictionService batch(**store, datasets, endpoints, clock, batch_options);
  batch.RegisterJobs(pool);

  pipelines::StepTypeRegistry step_types;
  pipelines::AddBuiltInSteps(step_types, {.store = **store,
                                          .blobs = *blobs,
                                          .datasets = datasets,
                                          .training = training,
                                          .registry = models,
                                          .loader = loader,
                                          .endpoints = endpoints,
                                          .batch = batch,
                                          .clock = clock});
  pipelines::PipelineRunner pipeline_runner(**store, step_types, clock);
  pipeline_runner.RegisterJobs(pool);
  pipelines::PipelineService pipeline_service(**store, pipeline_runner, step_types, clock);
  data::sources::SourceKinds source_kinds;
  if (auto kinds = data::sources::RegisterBuiltinKinds(source_kinds); !kinds) {
    return Die(kinds.error());
  }
  data::sources::SourceService sources(**store, datasets, source_kinds, clock,
                                       data_dir / "sources");
  sources.RegisterJobs(pool);
  data::sources::SourceRunner source_runner(sources);
  // A run that stored a batch makes the next one due at once: drain a backlog without a tick.
  pool.OnJobFinished([&source_runner](int64_t) { source_runner.Wake(); });

  security::TokenAuthority tokens(**store, clock);
  auto first_token = tokens.BootstrapAdmin();
  if (!first_token) return Die(first_token.error());
  auto ledger = OpenLedger(data_dir, **store, clock);
  if (!ledger) return Die(ledger.error());

  std::atomic<bool> ready{false};
  http::Router router;
  api::ProjectGate gate(**store);
  api::AddSystemRoutes(router, {kVersion, &ready});
  api::AddUsageRoute(router, {data_dir, pool, **store, std::chrono::steady_clock::now()});
  api::AddJobRoutes(router, **store, clock, gate);
  api::AddDatasetRoutes(router, datasets, gate);
  api::AddModelRoutes(router, models, gate);
  api::AddMlflowRoutes(router, models, gate);
  api::AddTrainingRoutes(router, **store, training, gate);
  api::AddEndpointRoutes(router, endpoints, prediction_log, batch, gate);
  api::AddProjectRoutes(router, **store, clock);
  api::AddOipRoutes(router, endpoints, kVersion);
  api::AddMetricsRoute(router, metrics);
  api::AddLedgerRoutes(router, {**store, **ledger, models});
  security::LoginService login(**store, tokens, clock);
  api::AddUserRoutes(router, {tokens, login, **store});
  api::AddKeyRoutes(router, {**keys, master_info, **store, clock});
  api::AddImportUrlRoutes(router, datasets, **store, clock, gate);
  api::AddPipelineRoutes(router, pipeline_service, **store, gate);
  api::AddSourceRoutes(router, sources, gate);
  gate.GuardRoutes(router);  // after every route with a project's thing in its path
  api::AddRouteTableRoute(router);
  console::ServeConsole(router, flags.ui_dir.empty() ? AIMASS_DEFAULT_UI_DIR : flags.ui_dir);

  http::ServerOptions server_options;
  server_options.host = listen->first;
  server_options.port = listen->second;
  server_options.io_threads =
      flags.io_threads > 0 ? flags.io_threads
                           : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  // With batching on, each waiting request holds a handler thread.
  server_options.handler_threads =
      static_cast<int>(std::max<int64_t>(server_options.handler_threads, flags.batch_max_rows));
  server_options.max_body_bytes = flags.max_body_bytes;
  server_options.max_upload_bytes = flags.max_upload_bytes;
  server_options.upload_dir = data_dir / "tmp" / "uploads";
  server_options.auth_failure_limit = flags.auth_failure_limit;
  server_options.access_log = flags.access_log;
  server_options.tls_cert_file = flags.tls_cert;
  server_options.tls_key_file = flags.tls_key;
  server_options.handshake_timeout = std::chrono::seconds(flags.tls_handshake_timeout_seconds);
  if (management) {
    server_options.management_host = management->first;
    server_options.management_port = management->second;
  }
  http::Server server(
      server_options, std::move(router),
      [&tokens](std::string_view token) -> Result<http::Principal> {
        AIMASS_ASSIGN_OR_RETURN(auto grant, tokens.Authenticate(token));
        // Stored scopes that no longer parse grant nothing.
        return http::Principal{
            grant.user.id,        grant.user.name,
            grant.user.is_admin,  Scopes::Parse(grant.token.scopes).value_or(Scopes{}),
            grant.token.endpoint, grant.token.id};
      });
  if (auto started = server.Start(); !started) return Die(started.error());
  pool.Start();
  pipeline_runner.Start();
  sources.StartSources();
  source_runner.Start();

  const std::string scheme = server.tls() ? "https://" : "http://";
  std::cout << "aimass " << kVersion << " serving " << data_dir.string() << "\n";
  std::cout << "listening: " << scheme << listen->first << ":" << server.port() << "\n";
  std::cout << "web console: " << scheme << listen->first << ":" << server.port() << "/\n";
  if (management) {
    std::cout << "management: " << scheme << management->first << ":" << server.management_port()
              << "\n";
  }
  if (*first_token) {
    std::cout << "admin token: " << **first_token << "\n"
              << "  (shown once; keep it. A new one: aimass admin new-token --data-dir "
              << data_dir.string() << ")\n";
    if (!flags.demo_data.empty()) ImportDemoData(datasets, flags.demo_data);
  }
  std::cout.flush();
  endpoints.Start();  // loads every endpoint; /v2/health/ready says 503 until it is done
  ready = true;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {}: finishing in-flight requests and releasing jobs", signal_number);
  ready = false;
  server.Stop();
  source_runner.Stop();
  pipeline_runner.Stop();
  pool.Stop();
  sources.StopSources();
  prediction_log.Flush();
  (void)(*ledger)->Seal();
  spdlog::info("stopped");
  spdlog::default_logger()->flush();
  return 0;
}

int NewAdminToken(const std::string& data_dir) {
  const fs::path db = fs::path(data_dir) / "aimass.db";
  if (!fs::exists(db)) {
    return Die({ErrorCode::kNotFound, "no aimass data directory at '" + data_dir +
                                          "' (missing aimass.db); pass --data-dir"});
  }
  auto store = store::SqliteStore::Open(db);
  if (!store) return Die(store.error());
  security::TokenAuthority tokens(**store, SystemClock::Instance());
  auto token = tokens.ReplaceAdminToken();
  if (!token) return Die(token.error());
  std::cout << "admin token: " << *token << "\n";
  return 0;
}

}  // namespace aimass::exe
