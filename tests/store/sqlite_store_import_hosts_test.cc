// The import allow-list: add (idempotent), list, remove, each change one ledger entry.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/actor.h"
#include "common/hash.h"
#include "store/sqlite_store.h"
#include "store/temp_store_test.h"

namespace aimass::store {
namespace {
using SqliteStoreImportHostsTest = TempStoreTest;

TEST_F(SqliteStoreImportHostsTest, AddListRemoveWithLedgerEntries) {
  auto empty = store_->ListImportHosts();
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  const int64_t before = LedgerSize();
  {
    ActorScope ana("ana");
    auto added = store_->AddImportHost("data.example.com", 10);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_TRUE(added->second);
    EXPECT_EQ(added->first.added_by, "ana");
    ASSERT_TRUE(store_->AddImportHost("127.0.0.1", 11));
  }
  auto again = store_->AddImportHost("data.example.com", 12);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first.added_at, 10);
  EXPECT_EQ(LedgerSize(), before + 2);  // the repeated add changed nothing

  auto listed = store_->ListImportHosts();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].host, "127.0.0.1");
  EXPECT_EQ((*listed)[1].host, "data.example.com");

  ASSERT_TRUE(store_->RemoveImportHost("127.0.0.1", 13));
  auto missing = store_->RemoveImportHost("127.0.0.1", 14);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(LedgerSize(), before + 3);
  auto entries = store_->LedgerEntriesAbout({"import_host:127.0.0.1"});
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].action, "import_host.added");
  EXPECT_EQ((*entries)[1].action, "import_host.removed");
}

}  // namespace
}  // namespace aimass::store
