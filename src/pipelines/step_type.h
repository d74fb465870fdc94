// What a kind of pipeline step is: the parameters it takes and the outputs it gives (both
// typed, so a pipeline is checked when it is applied), and how it runs. Step types register
// in a StepTypeRegistry; a new type is a new file under steps/.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "jobs/job_context.h"
#include "store/records.h"

namespace aimass::pipelines {

// The types a parameter or an output may have. A reference `${{ steps.S.outputs.O }}` may
// stand for a parameter when O's type is the parameter's type (kDataset and kModel also
// accept kString: a name or `name@version` written by hand).
enum class ValueType {
  kString,
  kNumber,  // integer or decimal
  kBool,
  kDuration,  // "90s", "5m", "1h", or a number of seconds
  kDataset,   // "name" (its newest version) or "name@3"
  kModel,     // "name", "name@3" or "name@champion"
  kMetrics,   // an object of metric name -> number (an evaluate step's output)
  kStringList,
  kObject,  // any JSON object (passed through, e.g. a training spec's extra settings)
};

// "string", "number", ..., as written in error messages and in `aimass pipelines types`.
std::string_view ValueTypeName(ValueType type);

struct ParamSpec {
  std::string name;
  ValueType type = ValueType::kString;
  bool required = false;
  std::string help;  // one line, for `aimass pipelines types` and error messages
};

struct OutputSpec {
  std::string name;
  ValueType type = ValueType::kString;
  std::string help;
};

// A step about to run: its parameters with every reference replaced by the value it stands
// for (a dataset output is "name@N", a model output "name@N", metrics an object).
// The step runs with the rights of the user who applied the pipeline version (`applied_by`;
// `admin` when that user is an admin), in the pipeline's project (the runner sets
// common/project_scope.h and common/actor.h around Launch and Run).
struct StepInput {
  int64_t run_id = 0;
  std::string pipeline;
  std::string step;
  nlohmann::json with = nlohmann::json::object();
  std::string applied_by;
  bool admin = false;
  int64_t project_id = 1;
};

// How a step runs. Steps that are a job of another service already (train, transform,
// import, batch-predict) Launch that job; the runner waits for it and then calls Outputs
// with its result. Steps that are quick decisions or calls (gate, set-alias, deploy,
// notify, evaluate, register) Run inline inside a "pipeline.step" job of their own.
class StepType {
 public:
  virtual ~StepType() = default;
  virtual std::string name() const = 0;  // "train": what `type:` says in the YAML
  virtual std::string help() const = 0;  // one line
  virtual std::vector<ParamSpec> params() const = 0;
  virtual std::vector<OutputSpec> outputs() const = 0;

  // Checks values the types alone cannot (a metric name that exists, a positive number);
  // called at apply time with the literal parameters only (references are not known yet).
  // The message names the parameter; the caller adds the YAML line.
  virtual Status CheckLiterals(const nlohmann::json& with) const {
    (void)with;
    return Ok();
  }

  // True: the step may be skipped when an earlier run of the same pipeline ran it with the
  // same CacheKey (its outputs are reused). Steps with effects outside aimass (notify,
  // deploy, set-alias) answer false.
  virtual bool cacheable() const { return false; }
  // What the outputs depend on: `input.with` with every moving reference pinned (a
  // dataset's newest version becomes name@N). Only asked of cacheable steps.
  virtual Result<nlohmann::json> CacheKey(const StepInput& input) const { return input.with; }

  // Jobs of other services: queue the job and return it; nullopt means this step runs
  // inline (Run) in a "pipeline.step" job instead.
  virtual Result<std::optional<store::JobRecord>> Launch(const StepInput& input) {
    (void)input;
    return std::optional<store::JobRecord>();
  }
  // The outputs of a launched job from its result JSON.
  virtual Result<nlohmann::json> Outputs(const StepInput& input, const nlohmann::json& result) {
    (void)input;
    return result;
  }
  // Inline steps: do the work (checking context.CheckStop() in long waits) and return the
  // outputs object.
  virtual Result<nlohmann::json> Run(const StepInput& input, jobs::JobContext& context) {
    (void)input;
    (void)context;
    return Fail(ErrorCode::kInternal, "step type " + name() + " neither launches nor runs");
  }
};

// The step types a server knows. Thread-safe after set-up (Add before the first Find).
class StepTypeRegistry {
 public:
  void Add(std::unique_ptr<StepType> type);
  StepType* Find(const std::string& name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<StepType>> types_;
};

}  // namespace aimass::pipelines
