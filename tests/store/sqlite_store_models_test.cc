// The model half of SqliteStore: version numbers, commits with leases, aliases, tags,
// search filters, and which blobs deletion hands back.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {
namespace fs = std::filesystem;

std::string Hash(char c) { return std::string(64, c); }

class SqliteStoreModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-store-models-" + RandomHex(6));
    fs::create_directories(dir_);
    auto store = SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static NewModelVersion Version(const std::string& model, std::vector<ModelMemberRecord> members,
                                 const std::string& metrics = "{}") {
    NewModelVersion v;
    v.model_name = model;
    v.task = "binary";
    v.metrics_json = metrics;
    v.members = std::move(members);
    return v;
  }

  ModelVersionRecord Add(const std::string& model, const std::string& metrics = "{}",
                         char blob = 'a') {
    auto added = store_->AddModelVersion(
        Version(model, {{"model.json", Hash(blob), 10}, {"learners/0.ubj", Hash('f'), 20}},
                metrics),
        now_++);
    EXPECT_TRUE(added) << added.error().message;
    return added.value_or(ModelVersionRecord{});
  }

  JobLease Claim() {
    auto job = store_->ClaimJob("w1", {}, 100000, 1000);
    EXPECT_TRUE(job && *job);
    return {(*job)->id, (*job)->fence};
  }

  std::vector<std::string> Names(const ModelFilter& filter) {
    auto models = store_->SearchModels(filter);
    EXPECT_TRUE(models) << models.error().message;
    std::vector<std::string> names;
    for (const auto& m : models.value_or(std::vector<ModelRecord>{})) names.push_back(m.name);
    return names;
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  int64_t now_ = 1000;
};

TEST_F(SqliteStoreModelsTest, VersionsNumberUpAndNumbersAreNeverReused) {
  EXPECT_EQ(Add("credit").version, 1);
  EXPECT_EQ(Add("credit").version, 2);
  ModelVersionRecord third = Add("credit");
  EXPECT_EQ(third.version, 3);
  EXPECT_EQ(Add("other").version, 1);  // numbers are per model
  ASSERT_EQ(third.members.size(), 2u);
  EXPECT_EQ(third.members[0].name, "learners/0.ubj");  // members come sorted by name
  EXPECT_EQ(third.members[1].blob_hash, Hash('a'));
  EXPECT_EQ(third.task, "binary");
  EXPECT_EQ(third.job_id, 0);

  ASSERT_TRUE(store_->DeleteModelVersion("credit", 3, now_));
  // A deleted newest version's number is not handed out again.
  EXPECT_EQ(Add("credit").version, 4);
  auto versions = store_->ListModelVersions("credit");
  ASSERT_TRUE(versions);
  std::vector<int64_t> numbers;
  for (const auto& v : *versions) numbers.push_back(v.version);
  EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(store_->GetModelVersion("credit", 0)->version, 4);
  EXPECT_EQ(store_->GetModelVersion("credit", 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetModelVersion("nope", 0).error().code, ErrorCode::kNotFound);
  auto model = store_->GetModel("credit");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->version_count, 3);
  EXPECT_EQ(model->latest_version, 4);
}

TEST_F(SqliteStoreModelsTest, CreateModelIsCreateIfMissing) {
  auto first = store_->CreateModel({"risk", "first words", {{"team", "credit"}}}, 5);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->model.description, "first words");
  EXPECT_EQ(first->model.tags.at("team"), "credit");
  EXPECT_EQ(first->model.version_count, 0);
  EXPECT_EQ(first->model.latest_version, 0);
  auto again = store_->CreateModel({"risk", "other words", {{"team", "ops"}}}, 6);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->model.description, "first words");
  EXPECT_EQ(again->model.tags.at("team"), "credit");
  EXPECT_EQ(again->model.created_at, 5);
  // Adding a version to an existing model keeps its description.
  Add("risk");
  EXPECT_EQ(store_->GetModel("risk")->description, "first words");
}

TEST_F(SqliteStoreModelsTest, CommitFinishesTheJobInTheSameTransaction) {
  ASSERT_TRUE(store_->EnqueueJob("model.train", "{}", 1));
  JobLease lease = Claim();
  auto committed =
      store_->CommitModelVersion(Version("trained", {{"model.json", Hash('a'), 3}}), lease, 7,
                                 [](const ModelVersionRecord& v) {
                                   return "{\"version\":" + std::to_string(v.version) + "}";
                                 });
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(committed->job_id, lease.job_id);
  auto job = store_->GetJob(lease.job_id);
  EXPECT_EQ(job->state, JobState::kSucceeded);
  EXPECT_EQ(job->result_json, "{\"version\":1}");
}

TEST_F(SqliteStoreModelsTest, CommitWithALostLeaseChangesNothing) {
  ASSERT_TRUE(store_->EnqueueJob("model.train", "{}", 1));
  JobLease stale = Claim();
  ASSERT_TRUE(store_->RequeueExpiredJobs(200000, 3));  // the lease expired: re-queued
  auto committed = store_->CommitModelVersion(Version("late", {{"model.json", Hash('c'), 3}}),
                                              stale, 9, [](auto&) { return "{}"; });
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(Names({}).empty());
  EXPECT_EQ(store_->GetModel("late").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ReferencedBlobs()->empty());
  EXPECT_EQ(store_->GetJob(stale.job_id)->state, JobState::kQueued);
}

TEST_F(SqliteStoreModelsTest, ACancelAskedForBeforeTheCommitStoresNothing) {
  ASSERT_TRUE(store_->EnqueueJob("model.train", "{}", 1));
  JobLease lease = Claim();
  ASSERT_TRUE(store_->RequestCancel(lease.job_id, 8));  // the worker has not noticed yet
  auto committed = store_->CommitModelVersion(Version("unwanted", {{"model.json", Hash('d'), 3}}),
                                              lease, 9, [](auto&) { return "{}"; });
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kCancelled);
  EXPECT_NE(committed.error().message.find("nothing was stored"), std::string::npos);
  EXPECT_EQ(store_->GetModel("unwanted").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ReferencedBlobs()->empty());
  NewDatasetVersion dataset;
  dataset.dataset_name = "unwanted";
  auto imported = store_->CommitDatasetVersion(dataset, lease, 9, [](auto&) { return "{}"; });
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(store_->GetJob(lease.job_id)->state, JobState::kRunning);  // the worker ends it
}

TEST_F(SqliteStoreModelsTest, AliasesMoveAndRefuseUnknownVersions) {
  Add("credit");
  Add("credit");
  auto set = store_->SetModelAlias("credit", "champion", 1, 50);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->version, 1);
  EXPECT_EQ(set->aliases, std::vector<std::string>{"champion"});
  ASSERT_TRUE(store_->SetModelAlias("credit", "champion", 2, 51));
  EXPECT_EQ(store_->GetModelVersionByAlias("credit", "champion")->version, 2);
  EXPECT_TRUE(store_->GetModelVersion("credit", 1)->aliases.empty());
  auto model = store_->GetModel("credit");
  EXPECT_EQ(model->aliases, (std::map<std::string, int64_t>{{"champion", 2}}));
  EXPECT_EQ(model->updated_at, 51);

  auto unknown = store_->SetModelAlias("credit", "champion", 9, 52);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find("no version 9"), std::string::npos);
  EXPECT_EQ(store_->GetModelVersionByAlias("credit", "champion")->version, 2);
  EXPECT_EQ(store_->SetModelAlias("nope", "champion", 1, 52).error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->DeleteModelAlias("credit", "champion", 53));
  EXPECT_EQ(store_->GetModelVersionByAlias("credit", "champion").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteModelAlias("credit", "champion", 54).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreModelsTest, ReadersNeverSeeAMovingAliasMissing) {
  Add("credit");
  Add("credit");
  ASSERT_TRUE(store_->SetModelAlias("credit", "champion", 1, 1));
  std::atomic<bool> done{false};
  std::atomic<int> missing{0}, reads{0};
  std::thread reader([&] {
    while (!done) {
      auto v = store_->GetModelVersionByAlias("credit", "champion");
      if (!v || (v->version != 1 && v->version != 2)) ++missing;
      ++reads;
    }
  });
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store_->SetModelAlias("credit", "champion", 1 + i % 2, i));
  }
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(missing.load(), 0);
}

TEST_F(SqliteStoreModelsTest, AnAliasedVersionCannotBeDeleted) {
  Add("credit");
  ASSERT_TRUE(store_->SetModelAlias("credit", "champion", 1, 1));
  auto refused = store_->DeleteModelVersion("credit", 1, 2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("alias 'champion' points at credit@1"), std::string::npos);
  EXPECT_TRUE(store_->GetModelVersion("credit", 1));
}

TEST_F(SqliteStoreModelsTest, TagsAndDescription) {
  Add("credit");
  ASSERT_TRUE(store_->SetModelTag("credit", "team", "risk", 10));
  auto tagged = store_->SetModelTag("credit", "team", "ops", 11);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->tags, (std::map<std::string, std::string>{{"team", "ops"}}));
  auto untagged = store_->DeleteModelTag("credit", "team", 12);
  ASSERT_TRUE(untagged);
  EXPECT_TRUE(untagged->tags.empty());
  EXPECT_EQ(store_->DeleteModelTag("credit", "team", 13).error().code, ErrorCode::kNotFound);
  auto described = store_->SetModelDescription("credit", "predicts defaults", 14);
  ASSERT_TRUE(described);
  EXPECT_EQ(described->description, "predicts defaults");
  EXPECT_EQ(described->updated_at, 14);
  EXPECT_EQ(store_->SetModelDescription("nope", "x", 15).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreModelsTest, SearchByNameTagsAndTheNewestVersionsMetric) {
  Add("credit_risk", R"({"roc_auc": 0.95})");
  Add("churn", R"({"roc_auc": 0.99})");
  Add("churn", R"({"roc_auc": 0.80})");  // the newest counts, not the best
  Add("credit_small", R"({"roc_auc": "n/a"})");
  Add("credit_big", R"({"rmse": 3})");
  ASSERT_TRUE(store_->SetModelTag("credit_risk", "team", "risk", 1));
  ASSERT_TRUE(store_->SetModelTag("credit_small", "team", "risk", 1));
  ASSERT_TRUE(store_->SetModelTag("credit_small", "stage", "dev", 1));
  ASSERT_TRUE(store_->SetModelTag("churn", "team", "growth", 1));

  EXPECT_EQ(Names({}),
            (std::vector<std::string>{"churn", "credit_big", "credit_risk", "credit_small"}));
  ModelFilter like;
  like.name_like = "%CREDIT_%";  // case-insensitive
  EXPECT_EQ(Names(like), (std::vector<std::string>{"credit_big", "credit_risk", "credit_small"}));
  ModelFilter exact;
  exact.name = "churn";
  EXPECT_EQ(Names(exact), std::vector<std::string>{"churn"});
  ModelFilter tags;
  tags.tags = {{"team", "risk"}};
  EXPECT_EQ(Names(tags), (std::vector<std::string>{"credit_risk", "credit_small"}));
  tags.tags["stage"] = "dev";
  EXPECT_EQ(Names(tags), std::vector<std::string>{"credit_small"});

  ModelFilter metric;
  metric.metric = MetricThreshold{"roc_auc", Comparison::kGreaterOrEqual, 0.9};
  EXPECT_EQ(Names(metric), std::vector<std::string>{"credit_risk"});
  metric.metric->op = Comparison::kLess;
  EXPECT_EQ(Names(metric), std::vector<std::string>{"churn"});  // "n/a" is not a number
  metric.metric = MetricThreshold{"rmse", Comparison::kEqual, 3};
  EXPECT_EQ(Names(metric), std::vector<std::string>{"credit_big"});

  ModelFilter page;
  page.limit = 2;
  page.offset = 1;
  EXPECT_EQ(Names(page), (std::vector<std::string>{"credit_big", "credit_risk"}));
  // LIKE's wildcards can be escaped: '_' literally.
  ModelFilter escaped;
  escaped.name_like = "%t\\_s%";
  EXPECT_EQ(Names(escaped), std::vector<std::string>{"credit_small"});
}

TEST_F(SqliteStoreModelsTest, DeletionReturnsOnlyBlobsNothingReferences) {
  // 'd' is shared with a dataset version, 'f' with every version, 'a'/'b' are per version.
  ASSERT_TRUE(store_->EnqueueJob("dataset.import", "{}", 1));
  JobLease lease = Claim();
  NewDatasetVersion dataset;
  dataset.dataset_name = "credit_data";
  dataset.blob_hash = Hash('d');
  ASSERT_TRUE(store_->CommitDatasetVersion(dataset, lease, 2, [](auto&) { return "{}"; }));
  Add("credit", "{}", 'a');
  Add("credit", "{}", 'b');
  ASSERT_TRUE(store_->AddModelVersion(Version("credit", {{"data.parquet", Hash('d'), 1}}), 3));

  auto referenced = store_->ReferencedBlobs();
  ASSERT_TRUE(referenced);
  std::sort(referenced->begin(), referenced->end());
  EXPECT_EQ(*referenced, (std::vector<std::string>{Hash('a'), Hash('b'), Hash('d'), Hash('f')}));

  auto orphans = store_->DeleteModelVersion("credit", 1, 4);
  ASSERT_TRUE(orphans) << orphans.error().message;
  EXPECT_EQ(*orphans, std::vector<std::string>{Hash('a')});  // 'f' is still in version 2
  // The dataset's deletion leaves the blob a model member still uses.
  auto dataset_orphans = store_->DeleteVersions("credit_data", 0, true);
  ASSERT_TRUE(dataset_orphans);
  EXPECT_TRUE(dataset_orphans->empty());

  orphans = store_->DeleteModel("credit");
  ASSERT_TRUE(orphans) << orphans.error().message;
  EXPECT_EQ(*orphans, (std::vector<std::string>{Hash('b'), Hash('d'), Hash('f')}));
  EXPECT_EQ(store_->GetModel("credit").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ReferencedBlobs()->empty());
  EXPECT_EQ(store_->DeleteModel("credit").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->IntegrityCheck(), "ok");
}

TEST_F(SqliteStoreModelsTest, DeletingAModelRemovesItsAliasesAndTags) {
  Add("credit");
  ASSERT_TRUE(store_->SetModelAlias("credit", "champion", 1, 1));
  ASSERT_TRUE(store_->SetModelTag("credit", "team", "risk", 1));
  ASSERT_TRUE(store_->DeleteModel("credit"));
  // The name is free again, with nothing left over from before.
  Add("credit");
  auto model = store_->GetModel("credit");
  ASSERT_TRUE(model);
  EXPECT_TRUE(model->aliases.empty());
  EXPECT_TRUE(model->tags.empty());
  EXPECT_EQ(model->latest_version, 1);
}

TEST_F(SqliteStoreModelsTest, TheModelMigrationAppliesToAnOlderDatabase) {
  Add("credit");
  store_.reset();
  {  // Turn the file back into a schema-1 database, as a release before models left it.
    auto db = Database::Open(dir_ / "aimass.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        (*db)->Exec("DROP TABLE source_states; DROP TABLE sources; "
                    "DROP TABLE endpoints; DROP TABLE model_tags; DROP TABLE model_aliases; "
                    "DROP TABLE model_members; DROP TABLE model_versions; "
                    "DROP TABLE models; DROP TABLE ledger_entries; DROP TABLE ledger_heads; "
                    "ALTER TABLE jobs DROP COLUMN created_by; DROP INDEX tokens_by_user; "
                    "ALTER TABLE tokens DROP COLUMN scopes; ALTER TABLE tokens DROP COLUMN "
                    "endpoint; ALTER TABLE tokens DROP COLUMN expires_at; "
                    "ALTER TABLE users DROP COLUMN password_hash; ALTER TABLE users DROP "
                    "COLUMN failed_logins; ALTER TABLE users DROP COLUMN locked_until; "
                    "DROP TABLE project_members; DROP TABLE projects; "
                    "ALTER TABLE datasets DROP COLUMN project_id; "
                    "ALTER TABLE jobs DROP COLUMN project_id; DROP TABLE import_hosts; "
                    "DROP TABLE pipeline_trigger_marks; DROP TABLE pipeline_steps; "
                    "DROP TABLE pipeline_runs; DROP TABLE pipeline_versions; DROP TABLE pipelines; "
                    "PRAGMA user_version = 1"));
  }
  auto reopened = SqliteStore::Open(dir_ / "aimass.db");
  ASSERT_TRUE(reopened) << reopened.error().message;
  store_ = std::move(*reopened);
  EXPECT_TRUE(Names({}).empty());
  EXPECT_EQ(Add("credit").version, 1);
}

}  // namespace
}  // namespace aimass::store
