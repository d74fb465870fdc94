#include "store/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.h"

namespace aimass::store {
namespace {
namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-store-" + RandomHex(6));
    fs::create_directories(dir_);
    auto store = SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(dir_); }

  JobLease Claim(int64_t now = 1000) {
    auto job = store_->ClaimJob("w1", {}, now + 30000, now);
    EXPECT_TRUE(job && *job);
    return {(*job)->id, (*job)->fence};
  }

  Result<DatasetVersionRecord> AddVersion(const std::string& name, const std::string& hash) {
    EXPECT_TRUE(store_->EnqueueJob("dataset.import", "{}", 1000));
    JobLease lease = Claim();
    NewDatasetVersion v;
    v.dataset_name = name;
    v.blob_hash = hash;
    v.row_count = 10;
    return store_->CommitDatasetVersion(v, lease, 2000, [](const DatasetVersionRecord& r) {
      return "{\"version\":" + std::to_string(r.version) + "}";
    });
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, TokensGrantTheirUserUntilRevokedOrExpired) {
  auto admin = store_->CreateUser("admin", true);
  ASSERT_TRUE(admin);
  EXPECT_EQ(store_->CreateUser("admin", false).error().code, ErrorCode::kConflict);
  TokenRecord token;
  token.user_id = admin->id;
  token.label = "admin";
  token.scopes = "admin";
  ASSERT_TRUE(store_->AddToken(token, "hash1", 1));
  auto found = store_->GrantForToken("hash1", 5);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->user.name, "admin");
  EXPECT_TRUE((*found)->user.is_admin);
  EXPECT_EQ((*found)->token.scopes, "admin");
  EXPECT_EQ((*found)->token.last_used_at, 5);
  EXPECT_FALSE(*store_->GrantForToken("other", 5));
  ASSERT_TRUE(store_->RevokeTokens(admin->id, "admin"));
  EXPECT_FALSE(*store_->GrantForToken("hash1", 5));

  auto bob = store_->CreateUser("bob", false);
  ASSERT_TRUE(bob);
  TokenRecord expiring;
  expiring.user_id = bob->id;
  expiring.scopes = "predict";
  expiring.endpoint = "web";
  expiring.expires_at = 100;
  auto id = store_->AddToken(expiring, "hash2", 1);
  ASSERT_TRUE(id);
  EXPECT_TRUE(*store_->GrantForToken("hash2", 99));
  EXPECT_FALSE(*store_->GrantForToken("hash2", 100)) << "expired";
  auto listed = store_->ListTokens(bob->id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().endpoint, "web");
  EXPECT_EQ(listed->front().expires_at, 100);
  EXPECT_EQ(listed->front().user_name, "bob");
  EXPECT_EQ(store_->ListTokens(0)->size(), 2u);
  // Only its owner (or, with user 0, an admin) revokes a token by id.
  EXPECT_EQ(store_->RevokeToken(*id, admin->id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->RevokeToken(*id, bob->id));
  EXPECT_TRUE(store_->ListTokens(bob->id)->front().revoked);
}

TEST_F(SqliteStoreTest, ClaimTakesOldestAndFencesStaleWorkers) {
  ASSERT_TRUE(store_->EnqueueJob("a", "{}", 1));
  ASSERT_TRUE(store_->EnqueueJob("b", "{}", 2));
  auto only_b = store_->ClaimJob("w", {"b"}, 100, 10);
  ASSERT_TRUE(only_b && *only_b);
  EXPECT_EQ((*only_b)->kind, "b");
  JobLease first = Claim(10);  // job "a"
  EXPECT_EQ(*store_->RenewLease(first, 40000, 50, "half"), false);
  // The lease expires; the job is re-queued and claimed again with a new fence.
  EXPECT_EQ(*store_->RequeueExpiredJobs(50000, 3), 2);
  JobLease second = Claim(50000);
  EXPECT_EQ(second.job_id, first.job_id);
  EXPECT_GT(second.fence, first.fence);
  // The late first worker can write nothing.
  EXPECT_EQ(store_->RenewLease(first, 90000, 90, "late").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->FinishJob(first, JobState::kSucceeded, "{}", "", 1).error().code,
            ErrorCode::kConflict);
  ASSERT_TRUE(store_->FinishJob(second, JobState::kSucceeded, "{\"ok\":1}", "", 60000));
  auto job = store_->GetJob(second.job_id);
  EXPECT_EQ(job->state, JobState::kSucceeded);
  EXPECT_EQ(job->progress, 100);
  EXPECT_EQ(job->attempts, 2);
}

TEST_F(SqliteStoreTest, JobsPastMaxAttemptsFailWithAReason) {
  ASSERT_TRUE(store_->EnqueueJob("a", "{}", 1));
  for (int i = 0; i < 2; ++i) {
    Claim(i * 100000);
    ASSERT_TRUE(store_->RequeueExpiredJobs(i * 100000 + 40000, 2));
  }
  auto job = store_->ListJobs({});
  ASSERT_EQ(job->size(), 1u);
  EXPECT_EQ((*job)[0].state, JobState::kFailed);
  EXPECT_NE((*job)[0].error.find("lease expired"), std::string::npos);
}

TEST_F(SqliteStoreTest, CancelQueuedAtOnceRunningOnNextCheck) {
  auto queued = store_->EnqueueJob("a", "{}", 1);
  auto cancelled = store_->RequestCancel(queued->id, 2);
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  EXPECT_EQ(store_->RequestCancel(queued->id, 3).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->EnqueueJob("a", "{}", 1));
  JobLease lease = Claim();
  EXPECT_EQ(store_->RequestCancel(lease.job_id, 4)->state, JobState::kRunning);
  EXPECT_TRUE(*store_->RenewLease(lease, 50000, 10, "x"));
  EXPECT_EQ(store_->GetJob(999).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, ReleaseDoesNotCountAsAnAttempt) {
  ASSERT_TRUE(store_->EnqueueJob("a", "{}", 1));
  JobLease lease = Claim();
  ASSERT_TRUE(store_->ReleaseJob(lease));
  auto job = store_->GetJob(lease.job_id);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempts, 0);
  ASSERT_TRUE(store_->AppendJobLog(lease.job_id, 5, "hello"));
  EXPECT_EQ(store_->JobLog(lease.job_id)->at(0), "hello");
}

TEST_F(SqliteStoreTest, VersionsNumberUpAndFinishTheirJob) {
  auto v1 = AddVersion("credit", std::string(64, 'a'));
  auto v2 = AddVersion("credit", std::string(64, 'b'));
  ASSERT_TRUE(v1 && v2) << (v1 ? v2.error().message : v1.error().message);
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(store_->GetJob(v2->job_id)->result_json, "{\"version\":2}");
  EXPECT_EQ(store_->GetVersion("credit", 0)->version, 2);
  EXPECT_EQ(store_->GetVersion("credit", 1)->blob_hash, std::string(64, 'a'));
  EXPECT_EQ(store_->GetVersion("credit", 7).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetVersion("nope", 0).error().code, ErrorCode::kNotFound);
  auto datasets = store_->ListDatasets();
  ASSERT_EQ(datasets->size(), 1u);
  EXPECT_EQ((*datasets)[0].version_count, 2);
}

TEST_F(SqliteStoreTest, CommitWithALostLeaseAddsNothing) {
  ASSERT_TRUE(store_->EnqueueJob("dataset.import", "{}", 1));
  JobLease stale = Claim(0);
  ASSERT_TRUE(store_->RequeueExpiredJobs(100000, 3));
  NewDatasetVersion v;
  v.dataset_name = "late";
  v.blob_hash = std::string(64, 'c');
  auto committed = store_->CommitDatasetVersion(v, stale, 1, [](auto&) { return "{}"; });
  EXPECT_EQ(committed.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(store_->ListDatasets()->empty());
}

TEST_F(SqliteStoreTest, HeldVersionsCannotBeDeletedAndSharedBlobsSurvive) {
  auto v1 = AddVersion("d", std::string(64, 'a'));
  auto v2 = AddVersion("d", std::string(64, 'a'));  // same bytes again
  auto reader = store_->EnqueueJob("dataset.transform", "{}", 1, v1->id);
  ASSERT_TRUE(reader);
  auto refused = store_->DeleteVersions("d", 1, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("in use by job"), std::string::npos);
  auto orphans = store_->DeleteVersions("d", 2, false);
  ASSERT_TRUE(orphans);
  EXPECT_TRUE(orphans->empty());  // version 1 still points at the blob
  JobLease lease = Claim();
  ASSERT_EQ(lease.job_id, reader->id);
  ASSERT_TRUE(store_->FinishJob(lease, JobState::kFailed, "", "boom", 5));
  orphans = store_->DeleteVersions("d", 0, true);
  ASSERT_TRUE(orphans) << orphans.error().message;
  EXPECT_EQ(orphans->size(), 1u);
  EXPECT_EQ(store_->GetDataset("d").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->IntegrityCheck(), "ok");
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndSchema) {
  ASSERT_TRUE(AddVersion("keep", std::string(64, 'e')));
  store_.reset();
  auto reopened = SqliteStore::Open(dir_ / "aimass.db");
  ASSERT_TRUE(reopened);
  EXPECT_EQ((*reopened)->GetVersion("keep", 1)->row_count, 10);
  EXPECT_EQ((*reopened)->ReferencedBlobs()->size(), 1u);
}

}  // namespace
}  // namespace aimass::store
