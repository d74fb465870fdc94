#include "blob/local_blob_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/files.h"
#include "common/hash.h"

namespace aimass::blob {
namespace {
namespace fs = std::filesystem;

class LocalBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("aimass-blob-" + RandomHex(6));
    auto store = LocalBlobStore::Open(root_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  std::unique_ptr<LocalBlobStore> store_;
};

TEST_F(LocalBlobStoreTest, PutFileMovesItInAndNamesItByHash) {
  fs::path scratch = store_->NewScratchPath(".csv");
  std::ofstream(scratch) << "a,b\n1,2\n";
  auto hash = store_->PutFile(scratch);
  ASSERT_TRUE(hash);
  EXPECT_EQ(*hash, Sha256Hex("a,b\n1,2\n"));
  EXPECT_FALSE(fs::exists(scratch));
  EXPECT_TRUE(store_->Contains(*hash));
  EXPECT_EQ(*store_->Size(*hash), 8u);
  auto file = store_->Open(*hash);
  ASSERT_TRUE(file);
  EXPECT_FALSE(file->is_scratch());  // the blob's own file: nothing to copy
  EXPECT_EQ(*ReadFile(file->path()), "a,b\n1,2\n");
  EXPECT_EQ(store_->List()->size(), 1u);
}

TEST_F(LocalBlobStoreTest, SameBytesTwiceIsOneBlob) {
  auto a = store_->Put("same");
  auto b = store_->Put("same");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(store_->List()->size(), 1u);
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

TEST_F(LocalBlobStoreTest, CorruptBlobIsDetectedNotReturned) {
  auto hash = store_->Put("precious data");
  ASSERT_TRUE(hash);
  fs::path file = root_ / hash->substr(0, 2) / hash->substr(2);
  std::ofstream(file, std::ios::trunc) << "precious dat4";
  auto opened = store_->Open(*hash);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
  EXPECT_NE(opened.error().message.find("corrupt"), std::string::npos);
}

TEST_F(LocalBlobStoreTest, RejectsNamesThatAreNotHashes) {
  EXPECT_EQ(store_->Open(std::string("../../etc/passwd")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Delete("..").error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(store_->Contains("/etc/passwd"));
  EXPECT_EQ(store_->Open(std::string(64, 'a')).error().code, ErrorCode::kNotFound);
}

TEST_F(LocalBlobStoreTest, DeleteRemovesAndOpenClearsScratch) {
  auto hash = store_->Put("gone soon");
  ASSERT_TRUE(store_->Delete(*hash));
  EXPECT_FALSE(store_->Contains(*hash));
  std::ofstream(store_->NewScratchPath(".partial")) << "half";
  auto reopened = LocalBlobStore::Open(root_);
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(fs::is_empty(root_ / "tmp"));
}

}  // namespace
}  // namespace aimass::blob
