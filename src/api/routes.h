// The REST API's routes, one function per resource. Handlers translate HTTP to service
// calls and records to JSON; they never touch SQL or files.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "api/project_gate.h"
#include "common/clock.h"
#include "data/dataset_service.h"
#include "jobs/worker_pool.h"
#include "data/sources/source_service.h"
#include "http/router.h"
#include "monitor/metrics.h"
#include "pipelines/pipeline_service.h"
#include "registry/registry_service.h"
#include "security/crypto/key_ring.h"
#include "security/ledger/sealer.h"
#include "security/login.h"
#include "security/token_authority.h"
#include "serve/batch_prediction.h"
#include "serve/endpoint_service.h"
#include "serve/prediction_log.h"
#include "store/metadata_store.h"
#include "train/training_service.h"

namespace aimass::api {

struct SystemInfo {
  std::string version;
  const std::atomic<bool>* ready = nullptr;  // /v2/health/ready answers 503 until true
};

void AddSystemRoutes(http::Router& router, const SystemInfo& info);

// What GET /api/v1/system (admins) reads.
struct UsageSources {
  std::filesystem::path data_dir;
  jobs::WorkerPool& pool;
  store::MetadataStore& store;
  std::chrono::steady_clock::time_point started;
};
void AddUsageRoute(http::Router& router, const UsageSources& sources);
// Lists show what the caller's projects hold (ProjectGate); new things join a project the
// caller may edit.
void AddJobRoutes(http::Router& router, store::MetadataStore& store, const Clock& clock,
                  ProjectGate& gate);
void AddDatasetRoutes(http::Router& router, data::DatasetService& datasets, ProjectGate& gate);
// POST /api/v1/datasets/import-url, and the admins' allow-list of the hosts it may fetch
// from: GET /api/v1/import-hosts, PUT and DELETE /api/v1/import-hosts/{host}.
void AddImportUrlRoutes(http::Router& router, data::DatasetService& datasets,
                        store::MetadataStore& store, const Clock& clock, ProjectGate& gate);
void AddModelRoutes(http::Router& router, registry::RegistryService& registry,
                    ProjectGate& gate);
// The MLflow-compatible model registry subset under /api/2.0/mlflow/ (docs/api.md).
void AddMlflowRoutes(http::Router& router, registry::RegistryService& registry,
                     ProjectGate& gate);
// Serving endpoints, record predictions, feedback and quality under /api/v1/endpoints.
// POST /api/v1/batch-predictions starts a batch prediction job.
void AddEndpointRoutes(http::Router& router, serve::EndpointService& endpoints,
                       serve::PredictionLog& log, serve::BatchPredictionService& batch,
                       ProjectGate& gate);
// The Open Inference Protocol v2 under /v2 (GET /v2 reports `version`).
void AddOipRoutes(http::Router& router, serve::EndpointService& endpoints,
                  const std::string& version);
// GET /metrics: the Prometheus text of `metrics` (public, as scrapers expect).
void AddMetricsRoute(http::Router& router, const monitor::MetricsRegistry& metrics);
void AddTrainingRoutes(http::Router& router, store::MetadataStore& store,
                       train::TrainingService& training, ProjectGate& gate);
// Pipelines under /api/v1/pipelines and /api/v1/pipeline-runs (docs/api.md, "Pipelines"),
// with the public webhook trigger POST /api/v1/pipelines/{name}/webhook.
void AddPipelineRoutes(http::Router& router, pipelines::PipelineService& pipelines,
                       store::MetadataStore& store, ProjectGate& gate);
// DataLake sources under /api/v1/sources (docs/api.md, "Sources"): each with its state.
void AddSourceRoutes(http::Router& router, data::sources::SourceService& sources,
                     ProjectGate& gate);
// Projects and their members under /api/v1/projects: admins create and delete projects,
// owners manage members, members see them.
void AddProjectRoutes(http::Router& router, store::MetadataStore& store, const Clock& clock);

// The tamper-evident ledger under /api/v1/ledger, and the lineage of model and dataset
// versions (/api/v1/models/{name}/versions/{v}/lineage, and the same for datasets).
struct LedgerRoutes {
  store::MetadataStore& store;
  security::ledger::LedgerSealer& sealer;
  registry::RegistryService& registry;
};
void AddLedgerRoutes(http::Router& router, const LedgerRoutes& ledger);

// Users (admins only), API tokens, password login and logout under /api/v1/users,
// /api/v1/tokens, /api/v1/login and /api/v1/logout.
struct AccountServices {
  security::TokenAuthority& tokens;
  security::LoginService& login;
  store::MetadataStore& store;
};
void AddUserRoutes(http::Router& router, const AccountServices& accounts);
// Encryption at rest (admins only): GET /api/v1/keys shows the key ids, POST
// /api/v1/keys/rotate re-wraps the data keys under a new master key while serving.
struct MasterKeyInfo {
  std::string source;        // where the master key came from, as LoadMasterKey says
  bool in_data_dir = false;  // <data-dir>/keys/master.key: aimass can make the next one
};
struct KeyServices {
  security::crypto::KeyRing& keys;
  MasterKeyInfo master;
  store::MetadataStore& store;
  const Clock& clock;
};
void AddKeyRoutes(http::Router& router, const KeyServices& keys);
// GET /api/v1/routes (admin): every route and the permission it needs. Add it last: it
// lists the routes added before it.
void AddRouteTableRoute(http::Router& router);

// Shared by the handlers: a Result's error as the API's JSON error response.
http::Response ErrorOf(const Error& error);
// A whole number >= 0 written in a URL (`what` names it in the error); `fallback` when
// the text is empty.
Result<int64_t> ParseCount(std::string_view text, std::string_view what, int64_t fallback);
// The request body as a JSON object (nested at most data::kMaxJsonDepth deep); the error
// shows `example`, what to send.
Result<nlohmann::json> ObjectBody(const http::Request& request, std::string_view example);
// 204 with no body.
http::Response NoContent();
// Streams a file in 1 MiB chunks as an attachment called `filename`; with `remove_after`
// (a temporary file made for this answer) the file is removed once sent.
http::Response FileResponse(std::filesystem::path path, const std::string& filename,
                            const std::string& content_type, bool remove_after);

}  // namespace aimass::api
