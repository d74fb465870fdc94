// The pipeline engine inside `aimass serve`: one thread that starts queued runs, launches
// each step once the steps it needs are done (as a job on the worker pool, so independent
// steps run in parallel), records outputs, retries with backoff, enforces timeouts, reuses
// cached outputs, and fires cron and dataset triggers. Runs and steps are rows in the
// metadata store and jobs are durable, so after a restart a run carries on where it was.
// Thread-safe: every change to runs goes through one mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.h"
#include "jobs/worker_pool.h"
#include "pipelines/pipeline_spec.h"
#include "pipelines/step_type.h"
#include "store/metadata_store.h"

namespace aimass::pipelines {

// The job kind of steps that run inline (gate, set-alias, deploy, notify, ...).
inline constexpr const char* kStepJob = "pipeline.step";

struct RunnerOptions {
  // How often runs and triggers are looked at when nothing wakes the runner sooner (a
  // finished job, a new run wake it at once).
  std::chrono::milliseconds tick{250};
};

class PipelineRunner {
 public:
  PipelineRunner(store::MetadataStore& store, const StepTypeRegistry& types, const Clock& clock,
                 RunnerOptions options = {});
  ~PipelineRunner();

  // Registers the inline step job and listens for finished jobs. Before pool.Start().
  void RegisterJobs(jobs::WorkerPool& pool);
  void Start();
  void Stop();
  void Wake();

  // Queues a run of the pipeline's newest version, started by `trigger` (manual, cron,
  // dataset, webhook) with what fired it in `detail` ({"dataset":"sales@4"}). With
  // `concurrency: skip` and a run still going: kConflict naming that run.
  Result<store::PipelineRunRecord> Fire(const store::PipelineRecord& pipeline,
                                        const std::string& trigger, nlohmann::json detail);
  // Stops a queued or running run: running steps' jobs are cancelled, waiting steps too.
  Status Cancel(int64_t run_id);
  // A new run of the same pipeline version that reuses the outputs of the steps that
  // succeeded (and all they needed), and runs the failed, cancelled and skipped ones again.
  Result<store::PipelineRunRecord> Rerun(int64_t run_id);

  // The spec of a stored version (parsed once, then kept).
  Result<std::shared_ptr<const PipelineSpec>> SpecOf(int64_t version_id);

 private:
  void Loop();
  void Tick();
  // Fires the cron and dataset triggers that are due (trigger_watch.cc).
  void FireTriggers(int64_t now);
  Result<store::PipelineRunRecord> FireLocked(const store::PipelineRecord& pipeline,
                                              const std::string& trigger, nlohmann::json detail);
  // Starts the queued runs that may start now, and marks them running in `active`.
  void StartQueuedRuns(std::vector<store::PipelineRunRecord>& active, int64_t now);
  Status Advance(int64_t run_id, int64_t now);
  // Moves a running step on when its job has ended or it ran past its timeout.
  Status Collect(const store::PipelineRunRecord& run, const StepSpec& spec,
                 store::PipelineStepRecord& step, int64_t now);
  // Starts a waiting step whose needs are done (or skips it).
  Status Launch(const store::PipelineRunRecord& run, const PipelineSpec& pipeline,
                const StepSpec& spec, store::PipelineStepRecord& step, int64_t now);
  // A failed attempt: waits for a retry, or fails the step.
  void FailAttempt(const StepSpec& spec, store::PipelineStepRecord& step, const Error& error,
                   int64_t now);
  Result<StepInput> InputFor(const store::PipelineRunRecord& run, const PipelineSpec& pipeline,
                             const StepSpec& spec);
  Result<jobs::JobOutcome> RunInlineStep(jobs::JobContext& context);

  store::MetadataStore& store_;
  const StepTypeRegistry& types_;
  const Clock& clock_;
  const RunnerOptions options_;
  jobs::WorkerPool* pool_ = nullptr;

  std::mutex specs_mu_;
  std::map<int64_t, std::shared_ptr<const PipelineSpec>> specs_;  // by version id

  std::mutex runs_mu_;  // held while runs change (the loop, Fire, Cancel, Rerun)
  int64_t last_cron_minute_ = 0;

  std::mutex loop_mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace aimass::pipelines
