// A pipeline as applied: its triggers and its steps (a DAG through `needs`), read from YAML
// (pipeline_yaml.cc), checked against the step types (pipeline_check.cc), and stored as JSON
// (pipeline_json.cc) beside the YAML the user wrote.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pipelines/step_type.h"

namespace aimass::pipelines {

// Where something was written in the YAML (1-based), for errors that point at it.
struct SourceMark {
  int line = 0;
  int column = 0;
  std::string Where() const;  // "line 12, column 7"
};

enum class TriggerKind { kManual, kCron, kDataset, kWebhook };
std::string_view TriggerKindName(TriggerKind kind);  // "manual", "cron", ...

struct TriggerSpec {
  TriggerKind kind = TriggerKind::kManual;
  std::string value;  // the cron expression, or the dataset's name
  SourceMark at;
};

// What a firing does while a run of the same pipeline is still going: wait for it (queue,
// the default), not run at all (skip), or run beside it (allow).
enum class Concurrency { kQueue, kSkip, kAllow };
std::string_view ConcurrencyName(Concurrency concurrency);

struct StepSpec {
  std::string name;
  std::string type;
  std::vector<std::string> needs;
  nlohmann::json with = nlohmann::json::object();  // strings may hold ${{ ... }} references
  int retries = 0;                                 // attempts after the first
  double retry_delay_seconds = 10;  // before the first retry; doubles for each next one
  double timeout_seconds = 3600;    // one attempt's limit
  bool cache = true;                // false: never reuse an earlier run's outputs
  SourceMark at;
  std::map<std::string, SourceMark> param_marks;  // where each parameter was written
};

struct PipelineSpec {
  std::string name;
  std::string description;
  Concurrency concurrency = Concurrency::kQueue;
  std::vector<TriggerSpec> triggers;
  std::vector<StepSpec> steps;  // in the YAML's order

  const StepSpec* Step(std::string_view name) const;
  // The dataset named by the first dataset trigger, or "" (what ${{ trigger.dataset }}
  // stands for in a run another trigger started).
  std::string TriggerDataset() const;
};

// Reads and checks a pipeline. Every problem found is listed, one per line, each with the
// line and column it is at: "line 14, column 9: step 'train': parameter 'budget': budget
// must be a duration such as 90s ...". kInvalidArgument when there is any.
Result<PipelineSpec> ParsePipeline(std::string_view yaml, const StepTypeRegistry& types);

// The checks alone, on a spec read from YAML (errors are appended to `problems`).
void CheckPipeline(const PipelineSpec& spec, const StepTypeRegistry& types,
                   std::vector<std::string>& problems);

// The steps in an order where every step comes after the steps it needs (the YAML's order
// where it allows). Only for checked specs.
std::vector<const StepSpec*> TopologicalOrder(const PipelineSpec& spec);
// Whether `ancestor` is among the steps `step` needs, directly or through others.
bool Needs(const PipelineSpec& spec, std::string_view step, std::string_view ancestor);

nlohmann::json SpecToJson(const PipelineSpec& spec);
Result<PipelineSpec> SpecFromJson(const nlohmann::json& json);

}  // namespace aimass::pipelines
