#include "jobs/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::jobs {
namespace {
namespace fs = std::filesystem;
using store::JobState;

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-jobs-" + RandomHex(6));
    fs::create_directories(dir_);
    store_ = std::move(*store::SqliteStore::Open(dir_ / "aimass.db"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  WorkerOptions Options() {
    WorkerOptions options;
    options.threads = 2;
    options.lease_millis = 600;
    options.poll_millis = 20;
    return options;
  }

  store::JobRecord WaitFinished(int64_t id, int timeout_ms = 5000) {
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      auto job = store_->GetJob(id);
      if (job && store::IsFinished(job->state)) return *job;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return *store_->GetJob(id);
  }

  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(WorkerPoolTest, RunsJobsAndStoresResultsAndErrors) {
  WorkerPool pool(*store_, SystemClock::Instance(), Options());
  pool.Register("add", [](JobContext& context) -> Result<JobOutcome> {
    AIMASS_RETURN_IF_ERROR(context.Progress(50, "adding"));
    context.Log("adding two numbers");
    JobOutcome outcome;
    outcome.result = {{"sum", context.params()["a"].get<int>() + context.params()["b"].get<int>()}};
    return outcome;
  });
  pool.Register("broken", [](JobContext&) -> Result<JobOutcome> {
    return Fail(ErrorCode::kInvalidArgument, "column 'x' is not a number");
  });
  pool.Start();
  auto add = store_->EnqueueJob("add", R"({"a":2,"b":3})", 1);
  auto broken = store_->EnqueueJob("broken", "{}", 1);
  auto unknown = store_->EnqueueJob("nothing-runs-this", "{}", 1);
  pool.Wake();
  auto done = WaitFinished(add->id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.result_json, R"({"sum":5})");
  EXPECT_EQ(store_->JobLog(add->id)->back(), "adding two numbers");
  auto failed = WaitFinished(broken->id);
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.error, "column 'x' is not a number");
  pool.Stop();
  EXPECT_EQ(store_->GetJob(unknown->id)->state, JobState::kQueued);  // no handler claims it
}

TEST_F(WorkerPoolTest, CancelStopsARunningJobAtItsNextCheck) {
  std::atomic<bool> started{false};
  WorkerPool pool(*store_, SystemClock::Instance(), Options());
  pool.Register("slow", [&](JobContext& context) -> Result<JobOutcome> {
    started = true;
    for (int i = 0; i < 500; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      AIMASS_RETURN_IF_ERROR(context.Progress(i / 5, "working"));
    }
    return JobOutcome{};
  });
  pool.Start();
  auto job = store_->EnqueueJob("slow", "{}", 1);
  pool.Wake();
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store_->RequestCancel(job->id, 2));
  auto done = WaitFinished(job->id, 3000);
  EXPECT_EQ(done.state, JobState::kCancelled);
  pool.Stop();
}

TEST_F(WorkerPoolTest, StopReleasesRunningJobsBackToTheQueue) {
  std::atomic<bool> started{false};
  auto pool = std::make_unique<WorkerPool>(*store_, SystemClock::Instance(), Options());
  pool->Register("long", [&](JobContext& context) -> Result<JobOutcome> {
    started = true;
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      AIMASS_RETURN_IF_ERROR(context.CheckStop());
    }
  });
  pool->Start();
  auto job = store_->EnqueueJob("long", "{}", 1);
  pool->Wake();
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  pool->Stop();
  auto after = store_->GetJob(job->id);
  EXPECT_EQ(after->state, JobState::kQueued);
  EXPECT_EQ(after->attempts, 0);
}

TEST_F(WorkerPoolTest, JobOfADeadWorkerIsRequeuedAfterItsLease) {
  auto job = store_->EnqueueJob("work", "{}", 1);
  const int64_t now = SystemClock::Instance().NowMillis();
  // A worker that claimed the job and then died (never heartbeats).
  ASSERT_TRUE(*store_->ClaimJob("dead:1", {}, now + 300, now));
  WorkerPool pool(*store_, SystemClock::Instance(), Options());
  pool.Register("work", [](JobContext&) -> Result<JobOutcome> { return JobOutcome{}; });
  pool.Start();
  auto done = WaitFinished(job->id, 5000);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.attempts, 2);
  pool.Stop();
}

}  // namespace
}  // namespace aimass::jobs
