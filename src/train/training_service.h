// Training runs as jobs. StartTraining checks the request and the dataset version and queues
// a "model.train" job that holds that version (it cannot be deleted under the run); the job
// loads the version, runs AutoML, and registers what it made as the next version of the
// model through the registry (the pipeline's files as blobs first, then one transaction that
// adds the version and finishes the job). Thread-safe.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "blob/blob_store.h"
#include "common/clock.h"
#include "jobs/worker_pool.h"
#include "registry/registry_service.h"
#include "store/metadata_store.h"
#include "train/pipeline.h"
#include "train/training_spec.h"
#include "train/xgboost_import.h"

namespace aimass::train {

inline constexpr const char* kTrainingJob = "model.train";

struct TrainingServiceOptions {
  int threads = 2;                                // a training job's thread allowance
  int64_t trial_memory_bytes = int64_t{2} << 30;  // one trial's memory allowance
  std::string engine_memory_limit = "2GB";        // DuckDB, while reading the dataset
  std::filesystem::path engine_temp_dir;
  std::string aimass_version;  // recorded in each model's lineage
};

class TrainingService {
 public:
  TrainingService(store::MetadataStore& store, blob::BlobStore& blobs,
                  registry::RegistryService& registry, const Clock& clock,
                  TrainingServiceOptions options);

  void RegisterJobs(jobs::WorkerPool& pool);

  // Checks the request (a TrainingSpec as JSON) and queues the job.
  Result<store::JobRecord> StartTraining(const nlohmann::json& body);
  // The trials a training job has finished so far, oldest first, from its log.
  Result<nlohmann::json> Trials(int64_t job_id);

  // Registers the XGBoost model in `file` (trained elsewhere, see xgboost_import.h) as the
  // next version of model `name`; `filename` is the user's name for the file. A refused
  // model registers nothing.
  Result<store::ModelVersionRecord> ImportXgboost(const std::filesystem::path& file,
                                                  const std::string& name,
                                                  const XgboostImportSpec& spec,
                                                  const std::string& filename);

 private:
  Result<jobs::JobOutcome> RunTraining(jobs::JobContext& context);
  // The pipeline's files as scratch files for the registry to take in.
  Result<std::vector<registry::MemberFile>> WriteMembers(const PipelineFiles& files);

  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  registry::RegistryService& registry_;
  const Clock& clock_;
  TrainingServiceOptions options_;
  jobs::WorkerPool* pool_ = nullptr;
};

// The prefix of the job-log line each finished trial writes, followed by its JSON.
inline constexpr std::string_view kTrialLogPrefix = "trial ";

}  // namespace aimass::train
