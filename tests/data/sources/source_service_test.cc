// SourceService over a real store, blob store, DataLake and worker pool, with a clock the
// test moves: runs are queued when due and never two at once, a failure backs off
// exponentially and shows in the state, a recovery resets it, and batches become appended
// versions whose cursor the next run reads back.
#include "data/sources/source_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "blob/local_blob_store.h"
#include "common/hash.h"
#include "data/sources/directory_source.h"
#include "store/sqlite_store.h"

namespace aimass::data::sources {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class SourceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-source-service-" + RandomHex(6));
    fs::create_directories(dir_);
    store_ = std::move(*store::SqliteStore::Open(dir_ / "aimass.db"));
    blobs_ = std::move(*blob::LocalBlobStore::Open(dir_ / "blobs"));
    DataOptions options;
    options.uploads_dir = dir_ / "uploads";
    options.engine_temp_dir = dir_ / "tmp";
    datasets_ = std::make_unique<DatasetService>(*store_, *blobs_, clock_, options);
    ASSERT_TRUE(RegisterDirectorySource(kinds_));
    sources_ =
        std::make_unique<SourceService>(*store_, *datasets_, kinds_, clock_, dir_ / "sources");
    jobs::WorkerOptions worker;
    worker.threads = 1;
    worker.poll_millis = 20;
    pool_ = std::make_unique<jobs::WorkerPool>(*store_, clock_, worker);
    datasets_->RegisterJobs(*pool_);
    sources_->RegisterJobs(*pool_);
    // After the handler returned: the run's state is recorded by then.
    pool_->OnJobFinished([this](int64_t job_id) { finished_job_ = job_id; });
  }
  void TearDown() override {
    pool_->Stop();
    sources_.reset();
    fs::remove_all(dir_);
  }

  store::SourceRecord Source() {
    auto source = sources_->Get("inbox");
    EXPECT_TRUE(source) << source.error().message;
    return source ? *source : store::SourceRecord{};
  }
  // Queues the due runs and waits for the one queued to end.
  int RunDue() {
    auto queued = sources_->QueueDueRuns();
    EXPECT_TRUE(queued);
    if (!queued || *queued == 0) return 0;
    const int64_t job = Source().state.job_id;
    for (int i = 0; i < 1000 && finished_job_ != job; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(finished_job_, job);
    return *queued;
  }

  fs::path dir_;
  ManualClock clock_{SystemClock::Instance().NowMillis()};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<blob::LocalBlobStore> blobs_;
  std::unique_ptr<DatasetService> datasets_;
  SourceKinds kinds_;
  std::unique_ptr<SourceService> sources_;
  std::unique_ptr<jobs::WorkerPool> pool_;
  std::atomic<int64_t> finished_job_{0};
};

TEST_F(SourceServiceTest, OnlyAdminsCreateDirectorySourcesAndConfigsAreChecked) {
  NewSource source{"inbox", "directory", "events", {{"path", (dir_ / "in").string()}}};
  auto refused = sources_->Create(source, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  source.config["interval"] = "0s";
  auto fast = sources_->Create(source, true);
  ASSERT_FALSE(fast);
  EXPECT_NE(fast.error().message.find("config.interval"), std::string::npos);
  source.name = "no spaces";
  auto name = sources_->Create(source, true);
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().message.find("source name"), std::string::npos);
}

TEST_F(SourceServiceTest, NeverQueuesTwoRunsAtOnce) {
  NewSource source{"inbox", "directory", "events", {{"path", (dir_ / "in").string()}}};
  ASSERT_TRUE(sources_->Create(source, true));
  auto first = sources_->RunNow("inbox");
  ASSERT_TRUE(first) << first.error().message;
  auto second = sources_->RunNow("inbox");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  auto due = sources_->QueueDueRuns();
  ASSERT_TRUE(due);
  EXPECT_EQ(*due, 0);
}

TEST_F(SourceServiceTest, BacksOffOnFailureAndRecoversWithAppendedVersions) {
  pool_->Start();
  const fs::path folder = dir_ / "in";
  NewSource source{"inbox",
                   "directory",
                   "events",
                   {{"path", folder.string()}, {"interval", "1s"}, {"settle", "1s"}}};
  ASSERT_TRUE(sources_->Create(source, true));

  ASSERT_EQ(RunDue(), 1);  // the folder does not exist yet
  store::SourceRunState state = Source().state;
  EXPECT_EQ(state.failures, 1);
  EXPECT_NE(state.error.find("cannot read folder '" + folder.string() + "'"), std::string::npos)
      << state.error;
  EXPECT_EQ(state.next_run_at, clock_.NowMillis() + 2000);
  EXPECT_EQ(RunDue(), 0);  // not due before the backoff
  clock_.Advance(2000);
  ASSERT_EQ(RunDue(), 1);
  EXPECT_EQ(Source().state.failures, 2);
  EXPECT_EQ(Source().state.next_run_at, clock_.NowMillis() + 4000);

  fs::create_directories(folder);
  std::ofstream(folder / "a.csv") << "x,y\n1,2\n3,4\n";
  fs::last_write_time(folder / "a.csv", fs::file_time_type::clock::now() - std::chrono::hours(1));
  clock_.Advance(4000);
  ASSERT_EQ(RunDue(), 1);  // first sight of a.csv: not stable yet, but the folder reads
  state = Source().state;
  EXPECT_EQ(state.failures, 0);
  EXPECT_EQ(state.error, "");
  EXPECT_EQ(state.batches, 0);
  EXPECT_EQ(state.next_run_at, clock_.NowMillis() + 1000);
  clock_.Advance(1000);
  ASSERT_EQ(RunDue(), 1);
  state = Source().state;
  EXPECT_EQ(state.batches, 1);
  EXPECT_EQ(state.rows_taken, 2);
  EXPECT_EQ(state.next_run_at, clock_.NowMillis());  // a batch: the next run at once
  ASSERT_TRUE(state.lag_ms);

  std::ofstream(folder / "b.csv") << "x,y\n5,6\n";
  fs::last_write_time(folder / "b.csv", fs::file_time_type::clock::now() - std::chrono::hours(1));
  ASSERT_EQ(RunDue(), 1);  // first sight of b.csv
  clock_.Advance(1000);
  ASSERT_EQ(RunDue(), 1);
  auto version = store_->GetVersion("events", 0);
  ASSERT_TRUE(version);
  EXPECT_EQ(version->version, 2);
  EXPECT_EQ(version->row_count, 3);  // appended
  json source_json = json::parse(version->source_json);
  EXPECT_EQ(source_json["source"], "inbox");
  EXPECT_TRUE(source_json["cursor"]["files"].contains("a.csv"));
  EXPECT_TRUE(source_json["cursor"]["files"].contains("b.csv"));
  EXPECT_EQ(json::parse(version->lineage_json)["parent"], "events@1");
  EXPECT_EQ(Source().state.rows_taken, 3);

  clock_.Advance(5000);
  ASSERT_EQ(RunDue(), 1);  // nothing new: no third version
  EXPECT_EQ(store_->GetVersion("events", 0)->version, 2);
}

}  // namespace
}  // namespace aimass::data::sources
