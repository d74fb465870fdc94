// Batch predictions: an endpoint's model over every row of a dataset version, written as a
// new dataset version holding the input columns plus `prediction` and, for classifiers, one
// `probability_<class>` column per class. Runs as a job ("endpoint.batch_predict") that
// predicts chunks of rows on every thread it is given and shows its progress.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "data/dataset_service.h"
#include "jobs/worker_pool.h"
#include "serve/endpoint_service.h"

namespace aimass::serve {

inline constexpr const char* kBatchPredictionJob = "endpoint.batch_predict";

struct BatchPredictionOptions {
  int threads = 2;                 // rows are predicted in chunks on this many threads
  int64_t chunk_rows = 16'384;     // rows per chunk
  std::filesystem::path temp_dir;  // scratch files while the output is assembled
};

// Thread-safe.
class BatchPredictionService {
 public:
  BatchPredictionService(store::MetadataStore& store, data::DatasetService& datasets,
                         EndpointService& endpoints, const Clock& clock,
                         BatchPredictionOptions options);
  void RegisterJobs(jobs::WorkerPool& pool);

  // {"endpoint":"fraud","dataset":"applications@2","output":"applications_scored"}: checks
  // that the endpoint and the dataset version exist and the output is a dataset name, and
  // queues the job (it holds the input version until it ends).
  Result<store::JobRecord> Start(const nlohmann::json& body);

 private:
  Result<jobs::JobOutcome> Run(jobs::JobContext& context);

  store::MetadataStore& store_;
  data::DatasetService& datasets_;
  EndpointService& endpoints_;
  const Clock& clock_;
  const BatchPredictionOptions options_;
};

}  // namespace aimass::serve
