// The pipelines' rows (pipelines/README.md): a pipeline, its applied versions, its runs and
// each run's steps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aimass::store {

struct PipelineRecord {
  int64_t id = 0;
  std::string name;
  int64_t project_id = 1;
  std::string project;
  int64_t version = 0;             // the newest applied version
  bool has_webhook_token = false;  // only its hash is stored
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct PipelineVersionRecord {
  int64_t id = 0;
  int64_t pipeline_id = 0;
  int64_t version = 0;
  std::string yaml;
  std::string spec_json;
  std::string spec_hash;
  std::string created_by;
  int64_t created_at = 0;
};

enum class RunState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
enum class StepState { kWaiting, kRunning, kSucceeded, kCached, kFailed, kSkipped, kCancelled };
std::string_view RunStateName(RunState state);
std::optional<RunState> ParseRunState(std::string_view name);
std::string_view StepStateName(StepState state);
bool IsFinished(RunState state);
bool IsFinished(StepState state);

struct PipelineStepRecord {
  int64_t run_id = 0;
  std::string name;
  int position = 0;
  std::string type;
  StepState state = StepState::kWaiting;
  int attempt = 0;                  // attempts started so far
  std::optional<int64_t> job_id;    // the current attempt's job
  std::optional<int64_t> retry_at;  // a retry waits until then (Unix ms)
  std::string cache_key;
  std::optional<int64_t> cached_from;  // the run whose outputs were reused
  std::string inputs_json = "{}";      // the parameters as resolved for the current attempt
  std::string outputs_json = "{}";
  std::string log;  // what the runner says about the step
  std::string error;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
};

struct PipelineRunRecord {
  int64_t id = 0;
  int64_t pipeline_id = 0;
  std::string pipeline;
  int64_t project_id = 1;
  int64_t version_id = 0;
  int64_t version = 0;
  RunState state = RunState::kQueued;
  std::string trigger;  // manual, cron, dataset, webhook, rerun
  std::string trigger_detail_json = "{}";
  std::optional<int64_t> rerun_of;
  std::string created_by;
  std::string error;
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  std::vector<PipelineStepRecord> steps;  // filled by GetPipelineRun, in position order
};

struct NewPipelineRun {
  int64_t pipeline_id = 0;
  int64_t version_id = 0;
  std::string trigger;
  std::string trigger_detail_json = "{}";
  std::optional<int64_t> rerun_of;
  // The steps, waiting, or (a rerun's reused steps) already cached.
  std::vector<PipelineStepRecord> steps;
};

struct PipelineRunFilter {
  int64_t pipeline_id = 0;       // 0: every pipeline
  std::vector<RunState> states;  // empty: any
  std::optional<std::vector<int64_t>> projects;
  int64_t limit = 50;
};

}  // namespace aimass::store
