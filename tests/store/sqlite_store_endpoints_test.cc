// The endpoint half of SqliteStore: create, update, list, delete, and the errors a user
// sees for a taken or unknown name.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::store {
namespace {
namespace fs = std::filesystem;

class SqliteStoreEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-store-endpoints-" + RandomHex(6));
    fs::create_directories(dir_);
    auto store = SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static EndpointRecord Endpoint(const std::string& name, const std::string& model) {
    EndpointRecord record;
    record.name = name;
    record.model = model;
    return record;
  }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreEndpointsTest, CreateUpdateListDelete) {
  EndpointRecord fraud = Endpoint("fraud", "credit@champion");
  fraud.canary = "credit@4";
  fraud.canary_percent = 10;
  auto created = store_->CreateEndpoint(fraud, 100);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->model, "credit@champion");
  EXPECT_EQ(created->canary, "credit@4");
  EXPECT_EQ(created->canary_percent, 10);
  EXPECT_EQ(created->shadow, "");
  EXPECT_EQ(created->created_at, 100);
  ASSERT_TRUE(store_->CreateEndpoint(Endpoint("churn", "churn"), 101));

  auto taken = store_->CreateEndpoint(Endpoint("fraud", "other"), 102);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_NE(taken.error().message.find("'fraud' exists"), std::string::npos);
  EXPECT_EQ(store_->GetEndpoint("fraud")->model, "credit@champion");  // unchanged

  EndpointRecord moved = Endpoint("fraud", "credit@7");
  moved.shadow = "credit@8";
  auto updated = store_->UpdateEndpoint(moved, 200);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->model, "credit@7");
  EXPECT_EQ(updated->canary, "");
  EXPECT_EQ(updated->canary_percent, 0);
  EXPECT_EQ(updated->shadow, "credit@8");
  EXPECT_EQ(updated->created_at, 100);
  EXPECT_EQ(updated->updated_at, 200);

  auto listed = store_->ListEndpoints();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "churn");  // by name
  EXPECT_EQ((*listed)[1].name, "fraud");

  ASSERT_TRUE(store_->DeleteEndpoint("fraud"));
  auto gone = store_->GetEndpoint("fraud");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_NE(gone.error().message.find("aimass deploy"), std::string::npos);
  EXPECT_EQ(store_->DeleteEndpoint("fraud").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->UpdateEndpoint(moved, 300).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreEndpointsTest, EndpointsSurviveReopening) {
  ASSERT_TRUE(store_->CreateEndpoint(Endpoint("fraud", "credit@champion"), 1));
  store_.reset();
  auto reopened = SqliteStore::Open(dir_ / "aimass.db");
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto endpoint = (*reopened)->GetEndpoint("fraud");
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  EXPECT_EQ(endpoint->model, "credit@champion");
}

}  // namespace
}  // namespace aimass::store
