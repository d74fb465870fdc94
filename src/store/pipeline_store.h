// The pipelines' half of the metadata store (MetadataStore inherits it). Thread-safe; every
// change to a pipeline or a run is one transaction with its ledger entry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/pipeline_records.h"

namespace aimass::store {

class PipelineStore {
 public:
  virtual ~PipelineStore() = default;

  // Stores a new version of pipeline `name` (created, in ProjectScope::Current(), when new;
  // an existing pipeline of another project is kPermissionDenied). When the newest version
  // has the same spec_hash nothing is added and `second` is false.
  virtual Result<std::pair<PipelineVersionRecord, bool>> ApplyPipeline(const std::string& name,
                                                                       const std::string& yaml,
                                                                       const std::string& spec_json,
                                                                       const std::string& spec_hash,
                                                                       int64_t now) = 0;
  virtual Result<PipelineRecord> GetPipeline(const std::string& name) = 0;
  virtual Result<std::vector<PipelineRecord>> ListPipelines(
      const std::optional<std::vector<int64_t>>& projects) = 0;
  // Version 0: the newest.
  virtual Result<PipelineVersionRecord> GetPipelineVersion(int64_t pipeline_id,
                                                           int64_t version) = 0;
  virtual Result<PipelineVersionRecord> GetPipelineVersionById(int64_t version_id) = 0;
  // Removes the pipeline with its versions and runs; kConflict while a run is queued or
  // running.
  virtual Status DeletePipeline(const std::string& name, int64_t now) = 0;
  // Replaces the webhook token's hash ("" removes it).
  virtual Status SetPipelineWebhookHash(const std::string& name, const std::string& hash,
                                        int64_t now) = 0;
  virtual Result<std::string> PipelineWebhookHash(const std::string& name) = 0;

  // A run, queued, with its steps.
  virtual Result<PipelineRunRecord> CreatePipelineRun(const NewPipelineRun& run, int64_t now) = 0;
  virtual Result<PipelineRunRecord> GetPipelineRun(int64_t run_id) = 0;
  // Newest first, without steps.
  virtual Result<std::vector<PipelineRunRecord>> ListPipelineRuns(
      const PipelineRunFilter& filter) = 0;
  virtual Status SetPipelineRunState(int64_t run_id, RunState state, const std::string& error,
                                     int64_t now) = 0;
  // Writes every field of the step (run_id and name say which).
  virtual Status UpdatePipelineStep(const PipelineStepRecord& step) = 0;
  // The newest succeeded step of this pipeline with this type and cache key, if any.
  virtual Result<std::optional<PipelineStepRecord>> FindCachedStep(int64_t pipeline_id,
                                                                   const std::string& type,
                                                                   const std::string& key) = 0;

  // What a trigger last saw ("" when never), and setting it.
  virtual Result<std::string> TriggerMark(int64_t pipeline_id, const std::string& key) = 0;
  virtual Status SetTriggerMark(int64_t pipeline_id, const std::string& key,
                                const std::string& mark) = 0;
};

}  // namespace aimass::store
