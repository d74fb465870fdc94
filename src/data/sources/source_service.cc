// SourceService (source_service.h).
#include "data/sources/source_service.h"

#include <system_error>
#include <utility>

#include "common/actor.h"
#include "common/project_scope.h"
#include "data/dataset_ref.h"

namespace aimass::data::sources {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Status CheckSourceName(const std::string& name) {
  auto checked = CheckDatasetName(name);
  if (checked) return Ok();
  std::string message = checked.error().message;
  if (message.starts_with("dataset name")) message.replace(0, 12, "source name");
  return Fail(ErrorCode::kInvalidArgument, std::move(message));
}

json ParsedConfig(const store::SourceRecord& record) {
  json config = json::parse(record.config_json, nullptr, false);
  return config.is_object() ? config : json::object();
}

SourceConfig KindConfig(const std::string& name, const std::string& kind,
                        const std::string& dataset, const json& config, fs::path state_dir = {}) {
  return SourceConfig{name, kind, dataset, KindSettings(config), std::move(state_dir)};
}

}  // namespace

SourceService::SourceService(store::MetadataStore& store, DatasetService& datasets,
                             const SourceKinds& kinds, const Clock& clock,
                             const std::filesystem::path& dir)
    : store_(store),
      datasets_(datasets),
      kinds_(kinds),
      clock_(clock),
      scratch_dir_(dir / "scratch"),
      state_dir_(dir / "state") {}

SourceService::~SourceService() { StopSources(); }

void SourceService::RegisterJobs(jobs::WorkerPool& pool) {
  pool_ = &pool;
  pool.Register(kRunJob, [this](jobs::JobContext& context) { return Run(context); });
}

void SourceService::StartSources() {
  std::error_code ec;
  fs::remove_all(scratch_dir_, ec);  // what runs cut short by a crash left
  auto sources = store_.ListSources(std::nullopt);
  if (!sources) return;
  for (const auto& record : *sources) {
    if (record.enabled) (void)Instance(record);
  }
}

void SourceService::StopSources() {
  std::map<std::string, Live> live;
  {
    std::lock_guard lock(mu_);
    live.swap(live_);
  }
  for (auto& [name, entry] : live) entry.source->Stop();
}

Status SourceService::CheckConfig(const std::string& name, const std::string& kind,
                                  const std::string& dataset, const json& config,
                                  bool caller_is_admin) const {
  AIMASS_RETURN_IF_ERROR(CheckSourceName(name));
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(dataset));
  AIMASS_ASSIGN_OR_RETURN(SourceAccess access, kinds_.Access(kind));
  if (access == SourceAccess::kAdminsOnly && !caller_is_admin) {
    return Fail(ErrorCode::kPermissionDenied,
                "only admins may create or change a '" + kind +
                    "' source, since it reads the server's files or ports; ask an admin");
  }
  AIMASS_RETURN_IF_ERROR(ReadSourceSettings(config));
  return kinds_.Check(KindConfig(name, kind, dataset, config));
}

Result<store::SourceRecord> SourceService::Create(const NewSource& source, bool caller_is_admin) {
  AIMASS_RETURN_IF_ERROR(
      CheckConfig(source.name, source.kind, source.dataset, source.config, caller_is_admin));
  store::SourceRecord record;
  record.name = source.name;
  record.kind = source.kind;
  record.dataset = source.dataset;
  record.config_json = source.config.dump();
  AIMASS_ASSIGN_OR_RETURN(auto created, store_.CreateSource(record, clock_.NowMillis()));
  (void)Instance(created);
  return created;
}

Result<store::SourceRecord> SourceService::Get(const std::string& name) {
  return store_.GetSource(name);
}

Result<std::vector<store::SourceRecord>> SourceService::List(
    const std::optional<std::vector<int64_t>>& projects) {
  return store_.ListSources(projects);
}

Result<store::SourceRecord> SourceService::Update(const std::string& name, const json& config,
                                                  bool caller_is_admin) {
  AIMASS_ASSIGN_OR_RETURN(auto existing, store_.GetSource(name));
  AIMASS_RETURN_IF_ERROR(
      CheckConfig(name, existing.kind, existing.dataset, config, caller_is_admin));
  AIMASS_ASSIGN_OR_RETURN(
      auto updated, store_.UpdateSource(name, config.dump(), existing.enabled, clock_.NowMillis()));
  Drop(name);
  if (updated.enabled) (void)Instance(updated);
  return updated;
}

Result<store::SourceRecord> SourceService::SetEnabled(const std::string& name, bool enabled) {
  Result<store::SourceRecord> updated = Fail(ErrorCode::kInternal, "unset");
  {
    std::lock_guard lock(mu_);
    AIMASS_ASSIGN_OR_RETURN(auto existing, store_.GetSource(name));
    updated = store_.UpdateSource(name, existing.config_json, enabled, clock_.NowMillis());
    if (!updated) return updated;
    if (enabled) {
      updated->state.next_run_at = clock_.NowMillis();
      updated->state.failures = 0;
      AIMASS_RETURN_IF_ERROR(store_.SetSourceState(updated->id, updated->state));
    }
  }
  Drop(name);
  if (enabled) (void)Instance(*updated);
  return updated;
}

Status SourceService::Delete(const std::string& name) {
  AIMASS_RETURN_IF_ERROR(store_.DeleteSource(name, clock_.NowMillis()));
  Drop(name);
  std::error_code ec;
  fs::remove_all(state_dir_ / name, ec);
  return Ok();
}

Result<std::shared_ptr<Source>> SourceService::Instance(const store::SourceRecord& record) {
  std::shared_ptr<Source> stale;
  {
    std::lock_guard lock(mu_);
    auto it = live_.find(record.name);
    if (it != live_.end() && it->second.updated_at == record.updated_at) return it->second.source;
    if (it != live_.end()) {
      stale = std::move(it->second.source);
      live_.erase(it);
    }
  }
  if (stale) stale->Stop();
  const fs::path state_dir = state_dir_ / record.name;
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) {
    return Fail(ErrorCode::kInternal,
                "cannot make the folder '" + state_dir.string() + "': " + ec.message());
  }
  AIMASS_ASSIGN_OR_RETURN(std::unique_ptr<Source> made,
                          kinds_.Create(KindConfig(record.name, record.kind, record.dataset,
                                                   ParsedConfig(record), state_dir)));
  std::shared_ptr<Source> source(std::move(made));
  AIMASS_RETURN_IF_ERROR(source->Start());
  std::lock_guard lock(mu_);
  auto [it, inserted] = live_.try_emplace(record.name, Live{record.updated_at, source});
  if (!inserted) {
    source->Stop();  // another thread made it meanwhile
    return it->second.source;
  }
  return source;
}

void SourceService::Drop(const std::string& name) {
  std::shared_ptr<Source> dropped;
  {
    std::lock_guard lock(mu_);
    auto it = live_.find(name);
    if (it == live_.end()) return;
    dropped = std::move(it->second.source);
    live_.erase(it);
  }
  dropped->Stop();
}

Result<store::JobRecord> SourceService::QueueRunLocked(const store::SourceRecord& record) {
  if (record.state.job_id != 0) {
    auto job = store_.GetJob(record.state.job_id);
    if (job && !store::IsFinished(job->state)) {
      return Fail(ErrorCode::kConflict, "source '" + record.name + "' is already running (job " +
                                            std::to_string(job->id) + "); see `aimass jobs show " +
                                            std::to_string(job->id) + "`");
    }
  }
  // The run works in the source's project, and the ledger names the source as its author.
  ProjectScope project(record.project_id);
  ActorScope actor("source:" + record.name);
  AIMASS_ASSIGN_OR_RETURN(auto job, store_.EnqueueJob(kRunJob, json{{"source", record.name}}.dump(),
                                                      clock_.NowMillis()));
  store::SourceRunState state = record.state;
  state.job_id = job.id;
  AIMASS_RETURN_IF_ERROR(store_.SetSourceState(record.id, state));
  if (pool_ != nullptr) pool_->Wake();
  return job;
}

Result<store::JobRecord> SourceService::RunNow(const std::string& name) {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto record, store_.GetSource(name));
  return QueueRunLocked(record);
}

Result<int> SourceService::QueueDueRuns() {
  std::lock_guard lock(mu_);
  AIMASS_ASSIGN_OR_RETURN(auto sources, store_.ListSources(std::nullopt));
  const int64_t now = clock_.NowMillis();
  int queued = 0;
  for (const auto& record : sources) {
    if (!record.enabled || record.state.next_run_at > now) continue;
    auto job = QueueRunLocked(record);
    if (job) ++queued;
  }
  return queued;
}

Result<jobs::JobOutcome> SourceService::Run(jobs::JobContext& context) {
  const std::string name = context.params().value("source", "");
  store::SourceRecord record;
  {
    std::lock_guard lock(mu_);
    AIMASS_ASSIGN_OR_RETURN(record, store_.GetSource(name));
    if (record.state.job_id != context.job().id) {
      // A run queued before a crash (or claimed before its queuing was recorded): it runs
      // only if no other run of the source is queued or running, and then it is the run.
      auto other = store_.GetJob(record.state.job_id);
      if (record.state.job_id != 0 && other && !store::IsFinished(other->state)) {
        context.Log("source '" + name + "' is run by job " + std::to_string(record.state.job_id) +
                    "; this one has nothing to do");
        jobs::JobOutcome outcome;
        outcome.result = {{"source", name}, {"superseded_by", record.state.job_id}};
        return outcome;
      }
      record.state.job_id = context.job().id;
      AIMASS_RETURN_IF_ERROR(store_.SetSourceState(record.id, record.state));
    }
  }
  auto settings = ReadSourceSettings(ParsedConfig(record));
  if (!settings) {
    RecordRun(name, context.job().id, Fail(settings.error()), SourceSettings{});
    return Fail(settings.error());
  }
  auto outcome = TakeAndStore(context, record, *settings);
  // A shutdown, a cancel or a lost lease is no failure of the source: the job goes back to
  // the queue or ends, and its state stays as it was.
  if (!outcome && !context.CheckStop()) return outcome;
  RecordRun(name, context.job().id, outcome, *settings);
  return outcome;
}

Result<jobs::JobOutcome> SourceService::TakeAndStore(jobs::JobContext& context,
                                                     const store::SourceRecord& record,
                                                     const SourceSettings& settings) {
  AIMASS_ASSIGN_OR_RETURN(std::shared_ptr<Source> source, Instance(record));
  AIMASS_ASSIGN_OR_RETURN(auto stored, store_.NewestSourceVersion(record.dataset, record.id));
  json cursor;
  if (stored) {
    json source_json = json::parse(*stored, nullptr, false);
    if (source_json.is_object()) cursor = source_json.value("cursor", json());
  }
  const fs::path scratch = scratch_dir_ / ("run-" + std::to_string(context.job().id));
  std::error_code ec;
  fs::remove_all(scratch, ec);
  fs::create_directories(scratch, ec);
  if (ec) {
    return Fail(ErrorCode::kInternal,
                "cannot make the folder '" + scratch.string() + "': " + ec.message());
  }
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{scratch};

  AIMASS_RETURN_IF_ERROR(context.Progress(1, "taking new rows from '" + record.name + "'"));
  SourceContext take;
  take.cursor = cursor;
  take.scratch_dir = scratch;
  take.log = [&context](std::string_view line) { context.Log(line); };
  take.stopping = [&context] { return !context.CheckStop(); };
  take.clock = &clock_;
  AIMASS_ASSIGN_OR_RETURN(std::optional<SourceBatch> batch, source->Take(take));
  if (!batch) {
    context.Log("nothing new");
    jobs::JobOutcome outcome;
    outcome.result = {{"source", record.name}, {"batch", false}};
    return outcome;
  }
  context.Log("took " + batch->description);
  JobImport import;
  import.dataset = record.dataset;
  import.file = batch->file;
  import.format = batch->format;
  import.append = settings.mode == SourceMode::kAppend;
  import.source = {{"source", record.name},
                   {"source_id", record.id},
                   {"kind", record.kind},
                   {"description", batch->description},
                   { "cursor",
                     batch->cursor }};
  AIMASS_ASSIGN_OR_RETURN(jobs::JobOutcome outcome, datasets_.ImportForJob(context, import));
  if (batch->acknowledge) {
    if (auto acknowledged = batch->acknowledge(); !acknowledged) {
      // The rows are stored with their cursor; the next Take sees that from the cursor.
      context.Log("stored, but the acknowledgement failed: " + acknowledged.error().message);
    }
  }
  if (batch->oldest_record_millis)
    outcome.result["oldest_record_ms"] = *batch->oldest_record_millis;
  return outcome;
}

void SourceService::RecordRun(const std::string& name, int64_t job_id,
                              const Result<jobs::JobOutcome>& outcome,
                              const SourceSettings& settings) {
  std::lock_guard lock(mu_);
  auto record = store_.GetSource(name);
  if (!record || record->state.job_id != job_id) return;  // deleted, or another run took over
  const int64_t now = clock_.NowMillis();
  store::SourceRunState state = record->state;
  if (!outcome) {
    state.last_run_at = now;
    state.error = outcome.error().message;
    state.failures += 1;
    state.next_run_at = now + NextRunDelayMillis(settings.interval_ms, state.failures);
    (void)store_.SetSourceState(record->id, state);
    return;
  }
  state.last_run_at = now;
  state.last_success_at = now;
  state.error.clear();
  state.failures = 0;
  state.next_run_at = now + settings.interval_ms;
  const json& result = outcome->result;
  if (result.contains("batch_rows")) {
    // rows_taken, batches and last_rows moved with the version's commit (the store counts
    // them in that transaction); what the store holds now is kept as it is.
    if (result.contains("oldest_record_ms")) {
      state.lag_ms = now - result["oldest_record_ms"].get<int64_t>();
    }
    state.next_run_at = now;  // there may be more: the next batch goes at once
  } else if (!result.contains("superseded_by")) {
    state.last_rows = 0;
  }
  (void)store_.SetSourceState(record->id, state);
}

}  // namespace aimass::data::sources
