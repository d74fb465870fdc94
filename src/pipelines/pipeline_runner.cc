#include "pipelines/pipeline_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/actor.h"
#include "common/hash.h"
#include "common/project_scope.h"
#include "pipelines/references.h"

namespace aimass::pipelines {
namespace {

using store::PipelineRunRecord;
using store::PipelineStepRecord;
using store::RunState;
using store::StepState;

void AddLog(PipelineStepRecord& step, const std::string& line) {
  if (!step.log.empty()) step.log += "\n";
  step.log += line;
}

nlohmann::json ParseObject(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  return json.is_discarded() ? nlohmann::json::object() : json;
}

// Errors that another attempt cannot mend: the request itself is wrong.
bool Retryable(const Error& error) {
  return error.code != ErrorCode::kInvalidArgument && error.code != ErrorCode::kNotFound &&
         error.code != ErrorCode::kPermissionDenied && error.code != ErrorCode::kCancelled;
}

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3gs", seconds);
  return text;
}

}  // namespace

PipelineRunner::PipelineRunner(store::MetadataStore& store, const StepTypeRegistry& types,
                               const Clock& clock, RunnerOptions options)
    : store_(store), types_(types), clock_(clock), options_(options) {}

PipelineRunner::~PipelineRunner() { Stop(); }

void PipelineRunner::RegisterJobs(jobs::WorkerPool& pool) {
  pool_ = &pool;
  pool.Register(kStepJob, [this](jobs::JobContext& context) { return RunInlineStep(context); });
  pool.OnJobFinished([this](int64_t /*job_id*/) { Wake(); });
}

void PipelineRunner::Start() {
  std::lock_guard lock(loop_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void PipelineRunner::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PipelineRunner::Wake() {
  {
    std::lock_guard lock(loop_mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PipelineRunner::Loop() {
  while (true) {
    {
      std::unique_lock lock(loop_mu_);
      wake_.wait_for(lock, options_.tick, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    Tick();
  }
}

void PipelineRunner::Tick() {
  std::lock_guard lock(runs_mu_);
  const int64_t now = clock_.NowMillis();
  FireTriggers(now);
  store::PipelineRunFilter filter;
  filter.states = {RunState::kQueued, RunState::kRunning};
  filter.limit = 10000;
  auto active = store_.ListPipelineRuns(filter);
  if (!active) {
    spdlog::warn("pipelines: {}", active.error().message);
    return;
  }
  StartQueuedRuns(*active, now);
  for (const PipelineRunRecord& run : *active) {
    if (run.state != RunState::kRunning) continue;
    if (auto advanced = Advance(run.id, now); !advanced) {
      spdlog::warn("pipeline run {}: {}", run.id, advanced.error().message);
    }
  }
}

void PipelineRunner::StartQueuedRuns(std::vector<PipelineRunRecord>& active, int64_t now) {
  std::set<int64_t> busy;  // pipelines with a run going
  for (const PipelineRunRecord& run : active) {
    if (run.state == RunState::kRunning) busy.insert(run.pipeline_id);
  }
  // Oldest first: `active` is newest first.
  for (auto it = active.rbegin(); it != active.rend(); ++it) {
    if (it->state != RunState::kQueued) continue;
    auto spec = SpecOf(it->version_id);
    const bool allow = spec && (*spec)->concurrency == Concurrency::kAllow;
    if (!allow && busy.count(it->pipeline_id) != 0) continue;
    if (store_.SetPipelineRunState(it->id, RunState::kRunning, "", now)) {
      it->state = RunState::kRunning;
      busy.insert(it->pipeline_id);
    }
  }
}

Result<std::shared_ptr<const PipelineSpec>> PipelineRunner::SpecOf(int64_t version_id) {
  {
    std::lock_guard lock(specs_mu_);
    auto it = specs_.find(version_id);
    if (it != specs_.end()) return it->second;
  }
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetPipelineVersionById(version_id));
  nlohmann::json json = nlohmann::json::parse(version.spec_json, nullptr, false);
  if (json.is_discarded()) {
    return Fail(ErrorCode::kInternal,
                "pipeline version " + std::to_string(version_id) + " has a damaged spec");
  }
  AIMASS_ASSIGN_OR_RETURN(PipelineSpec spec, SpecFromJson(json));
  auto shared = std::make_shared<const PipelineSpec>(std::move(spec));
  std::lock_guard lock(specs_mu_);
  specs_[version_id] = shared;
  return shared;
}

Result<PipelineRunRecord> PipelineRunner::Fire(const store::PipelineRecord& pipeline,
                                               const std::string& trigger, nlohmann::json detail) {
  std::lock_guard lock(runs_mu_);
  return FireLocked(pipeline, trigger, std::move(detail));
}

Result<PipelineRunRecord> PipelineRunner::FireLocked(const store::PipelineRecord& pipeline,
                                                     const std::string& trigger,
                                                     nlohmann::json detail) {
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetPipelineVersion(pipeline.id, 0));
  AIMASS_ASSIGN_OR_RETURN(auto spec, SpecOf(version.id));
  if (spec->concurrency == Concurrency::kSkip) {
    store::PipelineRunFilter filter;
    filter.pipeline_id = pipeline.id;
    filter.states = {RunState::kQueued, RunState::kRunning};
    filter.limit = 1;
    AIMASS_ASSIGN_OR_RETURN(auto going, store_.ListPipelineRuns(filter));
    if (!going.empty()) {
      return Fail(ErrorCode::kConflict,
                  "pipeline '" + pipeline.name + "' is still on run " +
                      std::to_string(going[0].id) +
                      " and its concurrency is skip, so this firing does not run");
    }
  }
  store::NewPipelineRun run;
  run.pipeline_id = pipeline.id;
  run.version_id = version.id;
  run.trigger = trigger;
  run.trigger_detail_json = detail.dump();
  int position = 0;
  for (const StepSpec& step : spec->steps) {
    PipelineStepRecord record;
    record.name = step.name;
    record.type = step.type;
    record.position = position++;
    run.steps.push_back(std::move(record));
  }
  AIMASS_ASSIGN_OR_RETURN(auto created, store_.CreatePipelineRun(run, clock_.NowMillis()));
  Wake();
  return created;
}

Result<PipelineRunRecord> PipelineRunner::Rerun(int64_t run_id) {
  std::lock_guard lock(runs_mu_);
  AIMASS_ASSIGN_OR_RETURN(auto old, store_.GetPipelineRun(run_id));
  if (!store::IsFinished(old.state)) {
    return Fail(ErrorCode::kConflict,
                "run " + std::to_string(run_id) + " is still going; rerun it once it has ended");
  }
  AIMASS_ASSIGN_OR_RETURN(auto spec, SpecOf(old.version_id));
  std::map<std::string, const PipelineStepRecord*> by_name;
  for (const PipelineStepRecord& step : old.steps) by_name[step.name] = &step;
  auto done = [&](const std::string& name) {
    auto it = by_name.find(name);
    return it != by_name.end() &&
           (it->second->state == StepState::kSucceeded || it->second->state == StepState::kCached);
  };
  store::NewPipelineRun run;
  run.pipeline_id = old.pipeline_id;
  run.version_id = old.version_id;
  run.trigger = "rerun";
  run.trigger_detail_json = old.trigger_detail_json;
  run.rerun_of = old.id;
  int position = 0;
  const int64_t now = clock_.NowMillis();
  for (const StepSpec& step : spec->steps) {
    PipelineStepRecord record;
    record.name = step.name;
    record.type = step.type;
    record.position = position++;
    // Reused: it succeeded and so did everything it needs (in the order of the spec, the
    // needs of a step were decided before it only when listed first, so check them all).
    bool reuse = done(step.name);
    for (const StepSpec& other : spec->steps) {
      if (reuse && Needs(*spec, step.name, other.name) && !done(other.name)) reuse = false;
    }
    if (reuse) {
      const PipelineStepRecord& before = *by_name[step.name];
      record.state = StepState::kCached;
      record.outputs_json = before.outputs_json;
      record.cached_from = before.cached_from.value_or(old.id);
      record.finished_at = now;
      record.log = "reused the outputs of run " + std::to_string(*record.cached_from);
    }
    run.steps.push_back(std::move(record));
  }
  AIMASS_ASSIGN_OR_RETURN(auto created, store_.CreatePipelineRun(run, now));
  Wake();
  return created;
}

Status PipelineRunner::Cancel(int64_t run_id) {
  std::lock_guard lock(runs_mu_);
  AIMASS_ASSIGN_OR_RETURN(auto run, store_.GetPipelineRun(run_id));
  if (store::IsFinished(run.state)) {
    return Fail(ErrorCode::kConflict, "run " + std::to_string(run_id) + " has already " +
                                          std::string(store::RunStateName(run.state)));
  }
  const int64_t now = clock_.NowMillis();
  for (PipelineStepRecord& step : run.steps) {
    if (store::IsFinished(step.state)) continue;
    if (step.state == StepState::kRunning && step.job_id) {
      (void)store_.RequestCancel(*step.job_id, now);
    }
    step.state = StepState::kCancelled;
    step.finished_at = now;
    AddLog(step, "cancelled with the run");
    AIMASS_RETURN_IF_ERROR(store_.UpdatePipelineStep(step));
  }
  AIMASS_RETURN_IF_ERROR(
      store_.SetPipelineRunState(run_id, RunState::kCancelled, "cancelled by a user", now));
  Wake();  // a queued run of the same pipeline may start now
  return Ok();
}

Status PipelineRunner::Advance(int64_t run_id, int64_t now) {
  AIMASS_ASSIGN_OR_RETURN(PipelineRunRecord run, store_.GetPipelineRun(run_id));
  if (run.state != RunState::kRunning) return Ok();
  AIMASS_ASSIGN_OR_RETURN(auto spec, SpecOf(run.version_id));
  std::map<std::string, PipelineStepRecord*> steps;
  for (PipelineStepRecord& step : run.steps) steps[step.name] = &step;

  for (PipelineStepRecord& step : run.steps) {
    const StepSpec* step_spec = spec->Step(step.name);
    if (step_spec == nullptr || step.state != StepState::kRunning) continue;
    AIMASS_RETURN_IF_ERROR(Collect(run, *step_spec, step, now));
  }
  for (const StepSpec* step_spec : TopologicalOrder(*spec)) {
    PipelineStepRecord& step = *steps[step_spec->name];
    if (step.state != StepState::kWaiting) continue;
    if (step.retry_at && *step.retry_at > now) continue;
    std::string blocked;
    bool ready = true;
    // A job's finish time comes from its worker and may be later than this tick's start: a
    // step never starts before what it needs has finished.
    int64_t start_at = now;
    for (const std::string& need : step_spec->needs) {
      const PipelineStepRecord& before = *steps[need];
      start_at = std::max(start_at, before.finished_at.value_or(now));
      if (before.state == StepState::kFailed || before.state == StepState::kSkipped ||
          before.state == StepState::kCancelled) {
        blocked = "skipped: '" + need + "' " + std::string(store::StepStateName(before.state));
      } else if (before.state == StepState::kSucceeded || before.state == StepState::kCached) {
        const nlohmann::json outputs = ParseObject(before.outputs_json);
        if (before.type == "gate" && outputs.value("passed", true) == false) {
          blocked = "skipped: gate '" + need + "' did not pass (" +
                    outputs.value("reason", std::string()) + ")";
        }
      } else {
        ready = false;
      }
      if (!blocked.empty()) break;
    }
    if (!blocked.empty()) {
      step.state = StepState::kSkipped;
      step.finished_at = now;
      AddLog(step, blocked);
      AIMASS_RETURN_IF_ERROR(store_.UpdatePipelineStep(step));
    } else if (ready) {
      AIMASS_RETURN_IF_ERROR(Launch(run, *spec, *step_spec, step, start_at));
    }
  }

  bool finished = true;
  std::string failure;
  int64_t finished_at = now;
  for (const PipelineStepRecord& step : run.steps) {
    if (!store::IsFinished(step.state)) finished = false;
    finished_at = std::max(finished_at, step.finished_at.value_or(now));
    if (step.state == StepState::kFailed && failure.empty()) {
      failure = "step '" + step.name + "' failed: " + step.error;
    }
  }
  if (!finished) return Ok();
  AIMASS_RETURN_IF_ERROR(store_.SetPipelineRunState(
      run.id, failure.empty() ? RunState::kSucceeded : RunState::kFailed, failure, finished_at));
  Wake();  // a queued run of the same pipeline may start now
  return Ok();
}

Status PipelineRunner::Collect(const PipelineRunRecord& run, const StepSpec& spec,
                               PipelineStepRecord& step, int64_t now) {
  if (!step.job_id) {
    FailAttempt(spec, step, {ErrorCode::kInternal, "the step has no job"}, now);
    return store_.UpdatePipelineStep(step);
  }
  AIMASS_ASSIGN_OR_RETURN(store::JobRecord job, store_.GetJob(*step.job_id));
  const double ran_seconds =
      (now - job.started_at.value_or(step.started_at.value_or(now))) / 1000.0;
  switch (job.state) {
    case store::JobState::kSucceeded: {
      StepType* type = types_.Find(step.type);
      nlohmann::json result = ParseObject(job.result_json);
      Result<nlohmann::json> outputs = result;
      if (type != nullptr && job.kind != kStepJob) {
        StepInput input;
        input.run_id = run.id;
        input.pipeline = run.pipeline;
        input.step = step.name;
        input.with = ParseObject(step.inputs_json);
        input.project_id = run.project_id;
        outputs = type->Outputs(input, result);
      }
      if (!outputs) {
        FailAttempt(spec, step, outputs.error(), now);
      } else {
        step.state = StepState::kSucceeded;
        step.outputs_json = outputs->dump();
        step.finished_at = job.finished_at.value_or(now);
        AddLog(step, "succeeded in " +
                         Seconds((step.finished_at.value_or(now) - job.started_at.value_or(now)) /
                                 1000.0) +
                         " (job " + std::to_string(job.id) + ")");
      }
      return store_.UpdatePipelineStep(step);
    }
    case store::JobState::kFailed:
      FailAttempt(spec, step, {ErrorCode::kInternal, job.error}, now);
      return store_.UpdatePipelineStep(step);
    case store::JobState::kCancelled:
      FailAttempt(spec, step, {ErrorCode::kCancelled, "its job was cancelled"}, now);
      return store_.UpdatePipelineStep(step);
    default:
      break;
  }
  if (job.started_at && ran_seconds > spec.timeout_seconds) {
    (void)store_.RequestCancel(job.id, now);
    FailAttempt(spec, step,
                {ErrorCode::kDeadlineExceeded,
                 "timed out after " + Seconds(spec.timeout_seconds) + " (its timeout)"},
                now);
    return store_.UpdatePipelineStep(step);
  }
  return Ok();
}

void PipelineRunner::FailAttempt(const StepSpec& spec, PipelineStepRecord& step, const Error& error,
                                 int64_t now) {
  if (Retryable(error) && step.attempt <= spec.retries) {
    const double delay = spec.retry_delay_seconds * std::pow(2.0, step.attempt - 1);
    step.state = StepState::kWaiting;
    step.retry_at = now + static_cast<int64_t>(delay * 1000);
    step.job_id.reset();
    AddLog(step, "attempt " + std::to_string(step.attempt) + " failed: " + error.message +
                     "; retrying in " + Seconds(delay));
    return;
  }
  step.state = StepState::kFailed;
  step.error = error.message;
  step.finished_at = now;
  AddLog(step, "attempt " + std::to_string(step.attempt) + " failed: " + error.message);
}

Result<StepInput> PipelineRunner::InputFor(const PipelineRunRecord& run,
                                           const PipelineSpec& pipeline, const StepSpec& spec) {
  std::map<std::string, const PipelineStepRecord*> steps;
  for (const PipelineStepRecord& step : run.steps) steps[step.name] = &step;
  const nlohmann::json detail = ParseObject(run.trigger_detail_json);
  auto lookup = [&](const Reference& reference) -> Result<nlohmann::json> {
    switch (reference.kind) {
      case Reference::Kind::kRunId:
        return nlohmann::json(run.id);
      case Reference::Kind::kPipelineName:
        return nlohmann::json(run.pipeline);
      case Reference::Kind::kTriggerDataset:
        if (detail.contains("dataset")) return detail["dataset"];
        return nlohmann::json(pipeline.TriggerDataset());
      case Reference::Kind::kStepOutput:
        break;
    }
    auto it = steps.find(reference.step);
    if (it == steps.end()) {
      return Fail(ErrorCode::kInvalidArgument, reference.text + ": no such step");
    }
    const nlohmann::json outputs = ParseObject(it->second->outputs_json);
    if (!outputs.contains(reference.output)) {
      return Fail(ErrorCode::kInvalidArgument, reference.text + ": step '" + reference.step +
                                                   "' gave no output '" + reference.output + "'");
    }
    return outputs[reference.output];
  };
  StepInput input;
  input.run_id = run.id;
  input.pipeline = run.pipeline;
  input.step = spec.name;
  AIMASS_ASSIGN_OR_RETURN(input.with, ResolveReferences(spec.with, lookup));
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetPipelineVersionById(run.version_id));
  input.applied_by = version.created_by;
  auto user = store_.FindUser(version.created_by);
  input.admin = user && *user && (*user)->is_admin;
  input.project_id = run.project_id;
  return input;
}

Status PipelineRunner::Launch(const PipelineRunRecord& run, const PipelineSpec& pipeline,
                              const StepSpec& spec, PipelineStepRecord& step, int64_t now) {
  StepType* type = types_.Find(step.type);
  ++step.attempt;
  step.retry_at.reset();
  if (!step.started_at) step.started_at = now;
  auto input = InputFor(run, pipeline, spec);
  if (type == nullptr || !input) {
    FailAttempt(spec, step,
                type == nullptr ? Error{ErrorCode::kInvalidArgument,
                                        "this server has no step type '" + step.type + "'"}
                                : input.error(),
                now);
    return store_.UpdatePipelineStep(step);
  }
  step.inputs_json = input->with.dump();
  ActorScope actor(input->applied_by + " (pipeline " + run.pipeline + " run " +
                   std::to_string(run.id) + ")");
  ProjectScope project(run.project_id);

  if (spec.cache && type->cacheable()) {
    auto key = type->CacheKey(*input);
    if (key) {
      step.cache_key = Sha256Hex(step.type + "\n" + key->dump());
      auto cached = store_.FindCachedStep(run.pipeline_id, step.type, step.cache_key);
      if (cached && *cached) {
        step.state = StepState::kCached;
        step.outputs_json = (*cached)->outputs_json;
        step.cached_from = (*cached)->cached_from.value_or((*cached)->run_id);
        step.finished_at = now;
        AddLog(step, "inputs unchanged since run " + std::to_string((*cached)->run_id) +
                         ": reused its outputs");
        return store_.UpdatePipelineStep(step);
      }
    }
  }

  auto launched = type->Launch(*input);
  if (!launched) {
    FailAttempt(spec, step, launched.error(), now);
    return store_.UpdatePipelineStep(step);
  }
  std::optional<store::JobRecord> job = *launched;
  if (!job) {
    nlohmann::json params = {{"run_id", run.id},     {"pipeline", run.pipeline},
                             {"step", step.name},    {"type", step.type},
                             {"with", input->with},  {"applied_by", input->applied_by},
                             {"admin", input->admin}};
    auto queued = store_.EnqueueJob(kStepJob, params.dump(), now);
    if (!queued) {
      FailAttempt(spec, step, queued.error(), now);
      return store_.UpdatePipelineStep(step);
    }
    job = *queued;
  }
  step.job_id = job->id;
  step.state = StepState::kRunning;
  AddLog(step, "attempt " + std::to_string(step.attempt) + ": job " + std::to_string(job->id) +
                   " (" + job->kind + ")");
  AIMASS_RETURN_IF_ERROR(store_.UpdatePipelineStep(step));
  if (pool_ != nullptr) pool_->Wake();
  return Ok();
}

Result<jobs::JobOutcome> PipelineRunner::RunInlineStep(jobs::JobContext& context) {
  const nlohmann::json& params = context.params();
  const std::string type_name = params.value("type", "");
  StepType* type = types_.Find(type_name);
  if (type == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "this server has no step type '" + type_name + "'");
  }
  StepInput input;
  input.run_id = params.value("run_id", int64_t{0});
  input.pipeline = params.value("pipeline", "");
  input.step = params.value("step", "");
  input.with = params.value("with", nlohmann::json::object());
  input.applied_by = params.value("applied_by", "");
  input.admin = params.value("admin", false);
  input.project_id = context.job().project_id;
  context.Log("step '" + input.step + "' (" + type_name + ") of pipeline " + input.pipeline +
              " run " + std::to_string(input.run_id));
  AIMASS_ASSIGN_OR_RETURN(nlohmann::json outputs, type->Run(input, context));
  jobs::JobOutcome outcome;
  outcome.result = std::move(outputs);
  return outcome;
}

}  // namespace aimass::pipelines
