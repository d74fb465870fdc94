// DataLake sources in the store: create, read, update, delete with ledger entries, run state
// without them, the project they belong to, and the cursor read back from versions.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/actor.h"
#include "common/hash.h"
#include "common/project_scope.h"
#include "store/sqlite_store.h"
#include "store/temp_store_test.h"

namespace aimass::store {
namespace {
class SqliteStoreSourcesTest : public TempStoreTest {
 protected:
  SourceRecord Inbox() {
    SourceRecord source;
    source.name = "inbox";
    source.kind = "directory";
    source.dataset = "events";
    source.config_json = R"({"path":"/srv/inbox"})";
    return source;
  }

  // Stores a version of `dataset` with `source_json`, as an import job does.
  void CommitVersion(const std::string &dataset, const std::string &source_json) {
    auto job = store_->EnqueueJob("dataset.import", "{}", 1);
    ASSERT_TRUE(job);
    auto claimed = store_->ClaimJob("w", {}, 1000, 1);
    ASSERT_TRUE(claimed && *claimed);
    NewDatasetVersion version;
    version.dataset_name = dataset;
    version.blob_hash = Sha256Hex(source_json);
    version.row_count = 1;
    version.column_count = 1;
    version.schema_json = "[]";
    version.stats_json = "{}";
    version.source_json = source_json;
    auto committed = store_->CommitDatasetVersion(
        version, {(*claimed)->id, (*claimed)->fence}, 2,
        [](const DatasetVersionRecord &) { return std::string("{}"); });
    ASSERT_TRUE(committed) << committed.error().message;
  }

};

TEST_F(SqliteStoreSourcesTest, CreateReadUpdateDeleteEachWithALedgerEntry) {
  const int64_t before = LedgerSize();
  {
    ActorScope ana("ana");
    auto created = store_->CreateSource(Inbox(), 10);
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->created_by, "ana");
    EXPECT_EQ(created->project, "default");
    EXPECT_TRUE(created->enabled);
    EXPECT_EQ(created->state.next_run_at, 10);  // due at once
    EXPECT_EQ(created->state.failures, 0);
  }
  auto again = store_->CreateSource(Inbox(), 11);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);

  auto updated = store_->UpdateSource("inbox", R"({"path":"/srv/other"})", false, 12);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_FALSE(updated->enabled);
  EXPECT_EQ(updated->config_json, R"({"path":"/srv/other"})");
  EXPECT_EQ(updated->updated_at, 12);

  SourceRunState state = updated->state;
  state.error = "cannot read folder '/srv/other'";
  state.failures = 2;
  state.rows_taken = 40;
  state.lag_ms = 1500;
  ASSERT_TRUE(store_->SetSourceState(updated->id, state));
  auto read = store_->GetSource("inbox");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->state.error, "cannot read folder '/srv/other'");
  EXPECT_EQ(read->state.failures, 2);
  EXPECT_EQ(read->state.rows_taken, 0);  // counted only with versions (CommitDatasetVersion)
  EXPECT_EQ(read->state.lag_ms, 1500);
  EXPECT_FALSE(read->state.last_run_at);
  EXPECT_EQ(LedgerSize(), before + 2);  // run state is not a governance change

  auto listed = store_->ListSources(std::nullopt);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  auto none = store_->ListSources(std::vector<int64_t>{});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  ASSERT_TRUE(store_->DeleteSource("inbox", 13));
  EXPECT_EQ(LedgerSize(), before + 3);
  auto gone = store_->GetSource("inbox");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_NE(gone.error().message.find("aimass sources list"), std::string::npos);
  EXPECT_FALSE(store_->DeleteSource("inbox", 14));
  auto entries = store_->LedgerEntriesAbout({"source:inbox"});
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].action, "source.created");
  EXPECT_EQ((*entries)[1].action, "source.updated");
  EXPECT_EQ((*entries)[2].action, "source.deleted");
}

TEST_F(SqliteStoreSourcesTest, BelongsToTheProjectItWasCreatedIn) {
  auto project = store_->CreateProject("fraud", "", 1);
  ASSERT_TRUE(project);
  {
    ProjectScope scope(project->id);
    ASSERT_TRUE(store_->CreateSource(Inbox(), 2));
  }
  auto access = store_->AccessTo(ProjectResource::kSource, "inbox", 0);
  ASSERT_TRUE(access && *access);
  EXPECT_EQ((*access)->project, "fraud");
  auto listed = store_->ListSources(std::vector<int64_t>{kDefaultProjectId});
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  auto held = store_->DeleteProject("fraud");
  ASSERT_FALSE(held);
  EXPECT_NE(held.error().message.find("1 sources"), std::string::npos) << held.error().message;
}

TEST_F(SqliteStoreSourcesTest, RefusesADatasetOfAnotherProject) {
  CommitVersion("events", "{}");  // in the default project
  auto project = store_->CreateProject("fraud", "", 1);
  ASSERT_TRUE(project);
  ProjectScope scope(project->id);
  auto created = store_->CreateSource(Inbox(), 2);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(SqliteStoreSourcesTest, TheCursorIsReadFromTheNewestVersionTheSourceMade) {
  auto created = store_->CreateSource(Inbox(), 1);
  ASSERT_TRUE(created);
  auto none = store_->NewestSourceVersion("events", created->id);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  const std::string id = std::to_string(created->id);
  CommitVersion("events", R"({"source_id":)" + id + R"(,"cursor":{"n":1}})");
  CommitVersion("events", R"({"source_id":)" + id + R"(,"cursor":{"n":2}})");
  CommitVersion("events", R"({"kind":"upload"})");  // a user's import in between
  auto newest = store_->NewestSourceVersion("events", created->id);
  ASSERT_TRUE(newest && *newest);
  EXPECT_EQ(**newest, R"({"source_id":)" + id + R"(,"cursor":{"n":2}})");
  auto other = store_->NewestSourceVersion("events", created->id + 1);
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);
}

}  // namespace
}  // namespace aimass::store
