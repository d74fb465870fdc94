// The store's half of the ledger: every change appends exactly one entry in its own
// transaction, with the acting user, and concurrent writers never share or skip an index.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "common/actor.h"
#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {
namespace fs = std::filesystem;

class SqliteStoreLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-ledger-store-" + RandomHex(6));
    fs::create_directories(dir_);
    store_ = Open();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SqliteStore> Open() {
    auto store = SqliteStore::Open(dir_ / "aimass.db");
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  std::vector<LedgerEntryRecord> All() {
    auto entries = store_->LedgerEntries(0, 1'000'000);
    EXPECT_TRUE(entries) << entries.error().message;
    return entries ? *entries : std::vector<LedgerEntryRecord>{};
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreLedgerTest, EachChangeAppendsOneEntryNamingItsActor) {
  {
    ActorScope ana("ana");
    ASSERT_TRUE(store_->CreateUser("bob", false));
    ASSERT_TRUE(store_->CreateModel({"fraud", "finds fraud", {{"team", "risk"}}}, 10));
    NewModelVersion version;
    version.model_name = "fraud";
    version.task = "binary";
    version.members = {{"model.json", std::string(64, 'a'), 5}};
    ASSERT_TRUE(store_->AddModelVersion(version, 11));
    ASSERT_TRUE(store_->SetModelAlias("fraud", "champion", 1, 12));
    EndpointRecord endpoint;
    endpoint.name = "web";
    endpoint.model = "fraud@champion";
    ASSERT_TRUE(store_->CreateEndpoint(endpoint, 13));
  }
  const auto entries = All();
  ASSERT_EQ(entries.size(), 5u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"user.created", "user:bob"},
      {"model.created", "model:fraud"},
      {"model.version.registered", "model:fraud@1"},
      {"model.alias.set", "model:fraud"},
      {"endpoint.deployed", "endpoint:web"}};
  for (size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE(entries[i].entry_json);
    EXPECT_EQ(entries[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(entries[i].action, expected[i].first);
    EXPECT_EQ(entries[i].subject, expected[i].second);
    EXPECT_EQ(entries[i].actor, "ana");
    // The stored hash is the RFC 6962 leaf hash of exactly the stored text.
    EXPECT_EQ(entries[i].leaf_hash, Sha256Hex(std::string(1, '\0') + entries[i].entry_json));
    const auto json = nlohmann::json::parse(entries[i].entry_json);
    EXPECT_EQ(json["index"], i);
    EXPECT_EQ(json["action"], expected[i].first);
    EXPECT_EQ(json["actor"], "ana");
  }
  const auto registered = nlohmann::json::parse(entries[2].entry_json)["details"];
  EXPECT_EQ(registered["members"]["model.json"], std::string(64, 'a'));
  EXPECT_EQ(nlohmann::json::parse(entries[3].entry_json)["details"]["version"], 1);
  // Outside any scope the store acts as "system".
  ASSERT_TRUE(store_->SetModelTag("fraud", "owner", "ana", 14));
  EXPECT_EQ(All().back().actor, "system");
}

TEST_F(SqliteStoreLedgerTest, AFailedChangeAppendsNothing) {
  ASSERT_TRUE(store_->CreateUser("bob", false));
  EXPECT_FALSE(store_->CreateUser("bob", false));
  EXPECT_FALSE(store_->SetModelAlias("nosuch", "champion", 1, 1));
  EXPECT_FALSE(store_->DeleteEndpoint("nosuch"));
  EndpointRecord endpoint;
  endpoint.name = "nosuch";
  EXPECT_FALSE(store_->UpdateEndpoint(endpoint, 1));
  EXPECT_EQ(All().size(), 1u);
  EXPECT_EQ(*store_->LedgerSize(), 1);
}

TEST_F(SqliteStoreLedgerTest, AJobRemembersWhoQueuedIt) {
  {
    ActorScope ana("ana");
    auto job = store_->EnqueueJob("train", R"({"target":"y"})", 5);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->created_by, "ana");
  }
  auto claimed = store_->ClaimJob("w", {}, 100, 6);
  ASSERT_TRUE(claimed && *claimed);
  EXPECT_EQ((*claimed)->created_by, "ana");
  const auto entries = All();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "job.queued");
  EXPECT_EQ(entries[0].subject, "job:" + std::to_string((*claimed)->id));
}

// 200 writers at once, half through a second connection to the same file (as a second
// aimass process would be): every change gets its own index, none lost, none repeated.
TEST_F(SqliteStoreLedgerTest, TwoHundredConcurrentWritersNeitherLoseNorRepeatEntries) {
  auto other = Open();
  ASSERT_TRUE(other);
  std::vector<std::thread> writers;
  for (int i = 0; i < 200; ++i) {
    writers.emplace_back([&, i] {
      ActorScope actor("writer" + std::to_string(i));
      SqliteStore& store = i % 2 ? *other : *store_;
      auto changed = store.RecordChange({"test.write", "test:" + std::to_string(i)}, i);
      EXPECT_TRUE(changed) << changed.error().message;
    });
  }
  for (auto& writer : writers) writer.join();
  const auto entries = All();
  ASSERT_EQ(entries.size(), 200u);
  std::set<std::string> subjects;
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].index, static_cast<int64_t>(i));
    subjects.insert(entries[i].subject);
    EXPECT_EQ(entries[i].actor, "writer" + entries[i].subject.substr(5));
  }
  EXPECT_EQ(subjects.size(), 200u);
}

TEST_F(SqliteStoreLedgerTest, EntriesAboutSubjectsAndHeadsComeBackInOrder) {
  ASSERT_TRUE(store_->RecordChange({"a", "x"}, 1));
  ASSERT_TRUE(store_->RecordChange({"b", "y"}, 2));
  ASSERT_TRUE(store_->RecordChange({"c", "x"}, 3));
  auto about = store_->LedgerEntriesAbout({"y", "x"});
  ASSERT_TRUE(about);
  ASSERT_EQ(about->size(), 3u);
  EXPECT_EQ((*about)[0].action, "a");
  EXPECT_EQ((*about)[1].action, "b");
  EXPECT_EQ((*about)[2].action, "c");
  EXPECT_EQ(store_->LedgerEntries(1, 1)->front().action, "b");

  ASSERT_TRUE(store_->AddTreeHead({3, "r3", 30, "s3"}));
  ASSERT_TRUE(store_->AddTreeHead({1, "r1", 10, "s1"}));
  ASSERT_TRUE(store_->AddTreeHead({3, "other", 31, "other"}));  // the first head of a size stays
  auto heads = store_->TreeHeads();
  ASSERT_TRUE(heads);
  ASSERT_EQ(heads->size(), 2u);
  EXPECT_EQ((*heads)[0].size, 1);
  EXPECT_EQ((*heads)[1].root, "r3");
}

}  // namespace
}  // namespace aimass::store
