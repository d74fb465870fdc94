// A fixture with a fresh SqliteStore in a temp folder, removed after the test, and the
// ledger's size for tests that count the entries a change appends.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/hash.h"
#include "store/sqlite_store.h"

namespace aimass::store {

class TempStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("aimass-store-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    auto store = SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int64_t LedgerSize() {
    auto size = store_->LedgerSize();
    EXPECT_TRUE(size);
    return size ? *size : -1;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace aimass::store
