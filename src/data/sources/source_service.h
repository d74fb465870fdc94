// SourceService: the DataLake sources' use cases — create, change, pause, delete, run now —
// and the "source.run" job, which takes one batch from a source and stores it as the next
// version of the source's dataset, its cursor in the same transaction.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "data/dataset_service.h"
#include "data/sources/source.h"
#include "data/sources/source_settings.h"
#include "jobs/worker_pool.h"
#include "store/metadata_store.h"

namespace aimass::data::sources {

struct NewSource {
  std::string name;
  std::string kind;
  std::string dataset;
  nlohmann::json config = nlohmann::json::object();  // the kind's settings, interval, mode
};

// Thread-safe: one mutex guards the live sources and every read-modify-write of a source's
// run state (runs, the runner and API calls may overlap).
class SourceService {
 public:
  static constexpr const char* kRunJob = "source.run";

  SourceService(store::MetadataStore& store, DatasetService& datasets, const SourceKinds& kinds,
                const Clock& clock, const std::filesystem::path& dir);
  ~SourceService();

  // Registers "source.run" with the pool.
  void RegisterJobs(jobs::WorkerPool& pool);
  // Starts the receivers (Source::Start) of the enabled sources; a failure is shown in that
  // source's state, not returned.
  void StartSources();
  // Stops every live source (at shutdown).
  void StopSources();

  // Checks the name, kind and config (kinds that read the server are for admins); files the
  // source in ProjectScope::Current(). Its first run is due at once.
  Result<store::SourceRecord> Create(const NewSource& source, bool caller_is_admin);
  Result<store::SourceRecord> Get(const std::string& name);
  // Every project's when `projects` is nullopt.
  Result<std::vector<store::SourceRecord>> List(
      const std::optional<std::vector<int64_t>>& projects);
  // Replaces the config (checked as at creation); the source restarts with it.
  Result<store::SourceRecord> Update(const std::string& name, const nlohmann::json& config,
                                     bool caller_is_admin);
  // Pause (false) or resume (true); a resumed source is due at once.
  Result<store::SourceRecord> SetEnabled(const std::string& name, bool enabled);
  Status Delete(const std::string& name);
  // Queues a run now; kConflict naming the job when one is queued or running.
  Result<store::JobRecord> RunNow(const std::string& name);
  // Queues a run of each enabled source that is due and has none in flight (the runner's
  // tick). Returns how many were queued.
  Result<int> QueueDueRuns();

 private:
  struct Live {
    int64_t updated_at = 0;
    std::shared_ptr<Source> source;
  };
  Status CheckConfig(const std::string& name, const std::string& kind, const std::string& dataset,
                     const nlohmann::json& config, bool caller_is_admin) const;
  // The live instance of a source, made (and started) when missing or out of date.
  Result<std::shared_ptr<Source>> Instance(const store::SourceRecord& record);
  void Drop(const std::string& name);
  // kConflict when a run is queued or running; else queues one. Callers hold mu_.
  Result<store::JobRecord> QueueRunLocked(const store::SourceRecord& record);
  Result<jobs::JobOutcome> Run(jobs::JobContext& context);
  // Takes and stores one batch; the outcome's result says what was stored.
  Result<jobs::JobOutcome> TakeAndStore(jobs::JobContext& context,
                                        const store::SourceRecord& record,
                                        const SourceSettings& settings);
  // Records how a run ended in the source's state (the result's "batch_rows" and
  // "oldest_record_ms" when it stored a batch).
  void RecordRun(const std::string& name, int64_t job_id, const Result<jobs::JobOutcome>& outcome,
                 const SourceSettings& settings);

  store::MetadataStore& store_;
  DatasetService& datasets_;
  const SourceKinds& kinds_;
  const Clock& clock_;
  const std::filesystem::path scratch_dir_;  // <dir>/scratch/run-<job>: a run's batch files
  const std::filesystem::path state_dir_;    // <dir>/state/<source>: SourceConfig::state_dir
  jobs::WorkerPool* pool_ = nullptr;
  std::mutex mu_;
  std::map<std::string, Live> live_;
};

}  // namespace aimass::data::sources
