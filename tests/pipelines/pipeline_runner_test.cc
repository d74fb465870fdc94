#include "pipelines/pipeline_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "common/hash.h"
#include "pipelines/pipeline_service.h"
#include "store/sqlite_store.h"
#include "test_step_types.h"

namespace aimass::pipelines {
namespace {
namespace fs = std::filesystem;
using store::RunState;
using store::StepState;

// A real store, worker pool and runner over the test step types.
class PipelineRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-pipelines-" + RandomHex(6));
    fs::create_directories(dir_);
    testing::AddTestSteps(types_, &make_runs_);
    Open();
  }
  void TearDown() override {
    Close();
    fs::remove_all(dir_);
  }

  void Open() {
    store_ = std::move(*store::SqliteStore::Open(dir_ / "aimass.db"));
    jobs::WorkerOptions options;
    options.threads = 2;
    options.poll_millis = 20;
    options.lease_millis = 1000;
    pool_ = std::make_unique<jobs::WorkerPool>(*store_, SystemClock::Instance(), options);
    runner_ = std::make_unique<PipelineRunner>(*store_, types_, SystemClock::Instance(),
                                               RunnerOptions{std::chrono::milliseconds(20)});
    runner_->RegisterJobs(*pool_);
    service_ =
        std::make_unique<PipelineService>(*store_, *runner_, types_, SystemClock::Instance());
    pool_->Start();
    runner_->Start();
  }
  void Close() {
    if (runner_) runner_->Stop();
    if (pool_) pool_->Stop();
    service_.reset();
    runner_.reset();
    pool_.reset();
    store_.reset();
  }

  store::PipelineRecord Apply(const std::string& yaml) {
    auto applied = service_->Apply(yaml);
    EXPECT_TRUE(applied) << (applied ? "" : applied.error().message);
    return applied->pipeline;
  }

  store::PipelineRunRecord Fire(const store::PipelineRecord& pipeline) {
    auto run = runner_->Fire(pipeline, "manual", nlohmann::json::object());
    EXPECT_TRUE(run) << (run ? "" : run.error().message);
    return *run;
  }

  store::PipelineRunRecord WaitFinished(int64_t run_id, int timeout_ms = 10000) {
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      auto run = store_->GetPipelineRun(run_id);
      if (run && store::IsFinished(run->state)) return *run;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return *store_->GetPipelineRun(run_id);
  }

  static const store::PipelineStepRecord& Step(const store::PipelineRunRecord& run,
                                               const std::string& name) {
    for (const auto& step : run.steps) {
      if (step.name == name) return step;
    }
    throw std::runtime_error("no step " + name);
  }
  static nlohmann::json Outputs(const store::PipelineStepRecord& step) {
    return nlohmann::json::parse(step.outputs_json);
  }

  fs::path dir_;
  StepTypeRegistry types_;
  std::atomic<int> make_runs_{0};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<jobs::WorkerPool> pool_;
  std::unique_ptr<PipelineRunner> runner_;
  std::unique_ptr<PipelineService> service_;
};

TEST_F(PipelineRunnerTest, RunsTheDagPassingOutputsAndRunsIndependentStepsTogether) {
  auto pipeline = Apply(R"(name: dag
steps:
  - {name: left, type: make, with: {name: l, sleep: 0.4s}}
  - {name: right, type: make, with: {name: r, sleep: 0.4s}}
  - name: join
    type: use
    needs: [left, right]
    with:
      dataset: ${{ steps.left.outputs.dataset }}
      note: "and ${{ steps.right.outputs.dataset }}"
)");
  auto run = WaitFinished(Fire(pipeline).id);
  ASSERT_EQ(run.state, RunState::kSucceeded) << run.error;
  EXPECT_EQ(Outputs(Step(run, "join"))["echo"], "l@1 and r@1");
  // left and right ran side by side on the two workers: each started before the other ended.
  const auto& left = Step(run, "left");
  const auto& right = Step(run, "right");
  EXPECT_LT(*left.started_at, *right.finished_at);
  EXPECT_LT(*right.started_at, *left.finished_at);
  EXPECT_GE(*Step(run, "join").started_at, std::max(*left.finished_at, *right.finished_at));
}

TEST_F(PipelineRunnerTest, RetriesWithBackoffThenFailsAndSkipsWhatNeedsIt) {
  auto pipeline = Apply(R"(name: flaky
steps:
  - {name: make, type: make, with: {name: d}}
  - name: twice
    type: use
    needs: make
    retries: 2
    retry_delay: 0.1s
    with: {dataset: "${{ steps.make.outputs.dataset }}", fail: 2}
  - name: never
    type: use
    needs: make
    retries: 1
    retry_delay: 0.05s
    with: {dataset: d, fail: 5}
  - {name: after, type: use, needs: never, with: {dataset: d}}
)");
  auto run = WaitFinished(Fire(pipeline).id);
  EXPECT_EQ(run.state, RunState::kFailed);
  EXPECT_NE(run.error.find("step 'never' failed: attempt 2 fails"), std::string::npos) << run.error;
  const auto& twice = Step(run, "twice");
  EXPECT_EQ(twice.state, StepState::kSucceeded);
  EXPECT_EQ(twice.attempt, 3);
  EXPECT_NE(twice.log.find("retrying in 0.1s"), std::string::npos) << twice.log;
  EXPECT_NE(twice.log.find("retrying in 0.2s"), std::string::npos) << twice.log;  // doubled
  EXPECT_EQ(Step(run, "never").attempt, 2);
  EXPECT_EQ(Step(run, "after").state, StepState::kSkipped);
  EXPECT_NE(Step(run, "after").log.find("'never' failed"), std::string::npos);

  // Rerun: what succeeded is reused, the failed step and what needs it run again.
  auto rerun = runner_->Rerun(run.id);
  ASSERT_TRUE(rerun) << rerun.error().message;
  auto second = WaitFinished(rerun->id);
  EXPECT_EQ(second.rerun_of, run.id);
  EXPECT_EQ(Step(second, "make").state, StepState::kCached);
  EXPECT_EQ(Step(second, "twice").state, StepState::kCached);
  EXPECT_EQ(Step(second, "never").state, StepState::kFailed);  // attempts 3 and 4 fail too
  EXPECT_EQ(make_runs_.load(), 1);
}

TEST_F(PipelineRunnerTest, AClosedGateSkipsWhatNeedsItAndTheRunStillSucceeds) {
  auto pipeline = Apply(R"(name: gated
steps:
  - {name: check, type: gate, with: {pass: false}}
  - {name: promote, type: use, needs: check, with: {dataset: d}}
  - {name: other, type: use, with: {dataset: d}}
)");
  auto run = WaitFinished(Fire(pipeline).id);
  EXPECT_EQ(run.state, RunState::kSucceeded) << run.error;
  EXPECT_EQ(Step(run, "promote").state, StepState::kSkipped);
  EXPECT_NE(Step(run, "promote").log.find("gate 'check' did not pass (told not to)"),
            std::string::npos);
  EXPECT_EQ(Step(run, "other").state, StepState::kSucceeded);
}

TEST_F(PipelineRunnerTest, UnchangedInputsReuseTheOutputsOfAnEarlierRun) {
  auto pipeline = Apply(R"(name: cached
steps:
  - {name: make, type: make, with: {name: d, count: 1}}
  - {name: fresh, type: make, cache: false, with: {name: e}}
)");
  auto first = WaitFinished(Fire(pipeline).id);
  ASSERT_EQ(first.state, RunState::kSucceeded);
  auto second = WaitFinished(Fire(pipeline).id);
  ASSERT_EQ(second.state, RunState::kSucceeded);
  EXPECT_EQ(Step(second, "make").state, StepState::kCached);
  EXPECT_EQ(Step(second, "make").cached_from, first.id);
  EXPECT_NE(Step(second, "make").log.find("inputs unchanged since run"), std::string::npos);
  EXPECT_EQ(Outputs(Step(second, "make"))["dataset"], "d@1");
  EXPECT_EQ(Step(second, "fresh").state, StepState::kSucceeded);  // cache: false
  EXPECT_EQ(make_runs_.load(), 3);

  // A new version with other inputs runs the step again.
  pipeline = Apply(R"(name: cached
steps:
  - {name: make, type: make, with: {name: d, count: 2}}
)");
  auto third = WaitFinished(Fire(pipeline).id);
  EXPECT_EQ(third.version, 2);
  EXPECT_EQ(Step(third, "make").state, StepState::kSucceeded);
}

TEST_F(PipelineRunnerTest, FiringsQueueBehindARunningRunOrAreSkipped) {
  auto queued = Apply(R"(name: queued
steps:
  - {name: slow, type: make, cache: false, with: {name: d, sleep: 0.3s}}
)");
  auto first = Fire(queued);
  auto second = Fire(queued);
  auto a = WaitFinished(first.id);
  auto b = WaitFinished(second.id);
  ASSERT_EQ(a.state, RunState::kSucceeded);
  ASSERT_EQ(b.state, RunState::kSucceeded);
  EXPECT_GE(*b.started_at, *a.finished_at);  // never over each other

  auto skipping = Apply(R"(name: skipping
concurrency: skip
steps:
  - {name: slow, type: make, cache: false, with: {name: d, sleep: 0.3s}}
)");
  auto running = Fire(skipping);
  auto refused = runner_->Fire(skipping, "manual", nlohmann::json::object());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("concurrency is skip"), std::string::npos);
  WaitFinished(running.id);
}

TEST_F(PipelineRunnerTest, CancelStopsTheRunningStepAndTheRest) {
  auto pipeline = Apply(R"(name: long
steps:
  - {name: slow, type: make, cache: false, with: {name: d, sleep: 20s}}
  - {name: next, type: use, needs: slow, with: {dataset: d}}
)");
  auto run = Fire(pipeline);
  for (int i = 0; i < 500; ++i) {
    auto now = store_->GetPipelineRun(run.id);
    if (Step(*now, "slow").state == StepState::kRunning) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(runner_->Cancel(run.id));
  auto cancelled = WaitFinished(run.id);
  EXPECT_EQ(cancelled.state, RunState::kCancelled);
  EXPECT_EQ(Step(cancelled, "next").state, StepState::kCancelled);
  const auto job = store_->GetJob(*Step(cancelled, "slow").job_id);
  ASSERT_TRUE(job);
  EXPECT_TRUE(job->cancel_requested);
  EXPECT_FALSE(runner_->Cancel(run.id));  // already ended
}

TEST_F(PipelineRunnerTest, AStepPastItsTimeoutFails) {
  auto pipeline = Apply(R"(name: timeout
steps:
  - {name: slow, type: make, cache: false, timeout: 0.2s, with: {name: d, sleep: 5s}}
)");
  auto run = WaitFinished(Fire(pipeline).id);
  EXPECT_EQ(run.state, RunState::kFailed);
  EXPECT_NE(Step(run, "slow").error.find("timed out after 0.2s"), std::string::npos)
      << Step(run, "slow").error;
}

TEST_F(PipelineRunnerTest, ARunGoesOnAfterARestart) {
  auto pipeline = Apply(R"(name: restart
steps:
  - {name: first, type: make, cache: false, with: {name: a, sleep: 0.5s}}
  - {name: second, type: use, needs: first, with: {dataset: "${{ steps.first.outputs.dataset }}"}}
)");
  auto run = Fire(pipeline);
  for (int i = 0; i < 500; ++i) {
    auto now = store_->GetPipelineRun(run.id);
    if (Step(*now, "first").state == StepState::kRunning) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Close();  // a graceful stop releases the running job back to the queue
  Open();
  auto finished = WaitFinished(run.id);
  EXPECT_EQ(finished.state, RunState::kSucceeded) << finished.error;
  EXPECT_EQ(Outputs(Step(finished, "second"))["echo"], "a@1 ");
}

TEST_F(PipelineRunnerTest, ANewDatasetVersionFiresADatasetTrigger) {
  auto pipeline = Apply(R"(name: on-data
triggers:
  - dataset: sales
steps:
  - {name: use, type: use, with: {dataset: "${{ trigger.dataset }}"}}
)");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto none = store_->ListPipelineRuns({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());  // applying fires nothing

  // A dataset version, committed the way an import job commits it.
  auto job = store_->EnqueueJob("dataset.import", "{}", 1);
  ASSERT_TRUE(job);
  store::NewDatasetVersion version;
  version.dataset_name = "sales";
  version.blob_hash = std::string(64, 'a');
  version.schema_json = "[]";
  version.stats_json = "{}";
  version.source_json = "{}";
  version.lineage_json = "{}";
  // The pool runs only pipeline steps, so the job waits for this claim.
  auto claimed = store_->ClaimJob("test", {"dataset.import"}, 1LL << 60, 2);
  ASSERT_TRUE(claimed && *claimed);
  auto committed = store_->CommitDatasetVersion(version, {(*claimed)->id, (*claimed)->fence}, 3,
                                                [](const auto&) { return std::string("{}"); });
  ASSERT_TRUE(committed) << committed.error().message;
  std::vector<store::PipelineRunRecord> runs;
  for (int i = 0; i < 300 && runs.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    runs = *store_->ListPipelineRuns({});
  }
  ASSERT_EQ(runs.size(), 1u);
  auto run = WaitFinished(runs[0].id);
  EXPECT_EQ(run.trigger, "dataset");
  EXPECT_EQ(Outputs(Step(run, "use"))["echo"], "sales@1 ");
}

}  // namespace
}  // namespace aimass::pipelines
