// What the API does with pipelines beyond running them: applying YAML (read, checked,
// stored as a new version when it changed), and the webhook trigger's token. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "pipelines/pipeline_runner.h"
#include "pipelines/step_type.h"
#include "store/metadata_store.h"

namespace aimass::pipelines {

struct AppliedPipeline {
  store::PipelineRecord pipeline;
  store::PipelineVersionRecord version;
  bool changed = false;       // false: the same pipeline was applied again
  std::string webhook_token;  // a new token (shown once), when the pipeline just got one
};

class PipelineService {
 public:
  PipelineService(store::MetadataStore& store, PipelineRunner& runner,
                  const StepTypeRegistry& types, const Clock& clock);

  // Reads and checks the YAML (errors name each problem's line) and stores it as the next
  // version of its pipeline. In ProjectScope::Current() when the pipeline is new.
  Result<AppliedPipeline> Apply(std::string_view yaml);
  // Only checks: the spec, or the problems.
  Result<PipelineSpec> Check(std::string_view yaml) const;
  // Removes the pipeline, its versions and runs (kConflict while a run is going).
  Status Delete(const std::string& name);
  // A new webhook token for the pipeline (the old one stops working); needs a webhook
  // trigger.
  Result<std::string> NewWebhookToken(const std::string& name);
  // The pipeline whose webhook token this is; kUnauthenticated otherwise (the same answer
  // for a wrong token, a pipeline without one, and a missing pipeline).
  Result<store::PipelineRecord> CheckWebhookToken(const std::string& name, std::string_view token);

  PipelineRunner& runner() { return runner_; }
  const StepTypeRegistry& types() const { return types_; }

 private:
  // Dataset triggers start from the newest version there is now: applying a pipeline
  // does not fire it for data it was written after.
  Status MarkDatasetTriggers(const store::PipelineRecord& pipeline, const PipelineSpec& spec);

  store::MetadataStore& store_;
  PipelineRunner& runner_;
  const StepTypeRegistry& types_;
  const Clock& clock_;
};

}  // namespace aimass::pipelines
