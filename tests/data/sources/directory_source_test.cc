// The directory source's scan rules: stable files only, changed files again, the same bytes
// under a new mtime not again, links and dot files never, and an unreadable folder's error.
#include "data/sources/directory_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/hash.h"

namespace aimass::data::sources {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class DirectorySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("aimass-dirsource-" + RandomHex(6));
    fs::create_directories(root_ / "inbox");
    fs::create_directories(root_ / "scratch");
    DirectorySettings settings;
    settings.path = root_ / "inbox";
    settings.settle_ms = 2000;
    source_ = std::make_unique<DirectorySource>(settings);
  }
  void TearDown() override {
    fs::permissions(root_ / "inbox", fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(root_);
  }

  // Writes a file whose mtime is `age_ms` before the clock's now.
  void Write(const std::string& name, const std::string& text, int64_t age_ms = 10'000) {
    std::ofstream(root_ / "inbox" / name) << text;
    SetAge(name, age_ms);
  }
  void SetAge(const std::string& name, int64_t age_ms) {
    // The file's age is measured against the test's clock, which runs ahead of the real one.
    const int64_t ahead = SystemClock::Instance().NowMillis() - clock_.NowMillis();
    const auto when = fs::file_time_type::clock::now() - std::chrono::milliseconds(age_ms) -
                      std::chrono::milliseconds(ahead);
    fs::last_write_time(root_ / "inbox" / name, when);
  }

  // One Take with the current cursor; a batch moves the cursor, as a stored version would.
  Result<std::optional<SourceBatch>> Take() {
    SourceContext context;
    context.cursor = cursor_;
    context.scratch_dir = root_ / "scratch";
    context.log = [this](std::string_view line) { log_.emplace_back(line); };
    context.stopping = [] { return false; };
    context.clock = &clock_;
    auto batch = source_->Take(context);
    if (batch && *batch) cursor_ = (*batch)->cursor;
    return batch;
  }
  // The file name of the next batch, or "" when none.
  std::string Next() {
    auto batch = Take();
    EXPECT_TRUE(batch) << batch.error().message;
    if (!batch || !*batch) return "";
    std::error_code ec;
    fs::remove((*batch)->file, ec);
    return (*batch)->file.filename().string();
  }

  fs::path root_;
  ManualClock clock_{SystemClock::Instance().NowMillis()};
  std::unique_ptr<DirectorySource> source_;
  json cursor_;
  std::vector<std::string> log_;
};

TEST_F(DirectorySourceTest, TakesAFileOnlyOnceItIsStable) {
  Write("a.csv", "x\n1\n");
  EXPECT_EQ(Next(), "");  // first seen now: not yet two scans apart
  clock_.Advance(1000);
  EXPECT_EQ(Next(), "");
  clock_.Advance(1000);
  auto batch = Take();
  ASSERT_TRUE(batch && *batch);
  EXPECT_EQ((*batch)->format, FileFormat::kCsv);
  EXPECT_EQ((*batch)->description, "file 'a.csv' (4 bytes)");
  EXPECT_EQ((*batch)->cursor["files"]["a.csv"]["sha256"], Sha256Hex("x\n1\n"));
  EXPECT_EQ((*batch)->cursor["files"]["a.csv"]["size"], 4);
  clock_.Advance(5000);
  EXPECT_EQ(Next(), "");  // taken: never again
}

TEST_F(DirectorySourceTest, LeavesAFileStillBeingWritten) {
  Write("big.csv", "x\n1\n", 0);  // written just now
  EXPECT_EQ(Next(), "");
  clock_.Advance(1000);
  std::ofstream(root_ / "inbox" / "big.csv", std::ios::app) << "2\n";  // still growing
  SetAge("big.csv", 0);
  clock_.Advance(1500);
  EXPECT_EQ(Next(), "");
  bool said = false;
  for (const auto& line : log_) said |= line.find("not stable yet") != std::string::npos;
  EXPECT_TRUE(said);
  clock_.Advance(2500);
  EXPECT_EQ(Next(), "big.csv");
}

TEST_F(DirectorySourceTest, TakesAChangedFileAgainButNotTheSameBytes) {
  Write("a.csv", "x\n1\n");
  Next();
  clock_.Advance(2000);
  ASSERT_EQ(Next(), "a.csv");
  Write("a.csv", "x\n1\n", 5000);  // touched: new mtime, same bytes
  Next();
  clock_.Advance(2000);
  EXPECT_EQ(Next(), "");
  bool said = false;
  for (const auto& line : log_) said |= line.find("bytes already taken") != std::string::npos;
  EXPECT_TRUE(said);
  Write("a.csv", "x\n1\n2\n", 5000);  // changed
  Next();
  clock_.Advance(2000);
  EXPECT_EQ(Next(), "a.csv");
}

TEST_F(DirectorySourceTest, SkipsLinksDotFilesAndFilesInProgress) {
  for (const char* name : {".hidden.csv", "b.csv.partial", "c.tmp"}) Write(name, "x\n1\n");
  fs::create_directory(root_ / "inbox" / "sub");
  std::ofstream(root_ / "outside.csv") << "x\n1\n";
  fs::create_symlink(root_ / "outside.csv", root_ / "inbox" / "link.csv");
  Next();
  clock_.Advance(3000);
  EXPECT_EQ(Next(), "");
}

TEST_F(DirectorySourceTest, TakesOneFileABatchOldestFirst) {
  Write("new.csv", "x\n2\n", 10'000);
  Write("old.csv", "x\n1\n", 20'000);
  Next();
  clock_.Advance(2000);
  EXPECT_EQ(Next(), "old.csv");
  EXPECT_EQ(Next(), "new.csv");
  EXPECT_EQ(cursor_["files"].size(), 2u);
  EXPECT_EQ(Next(), "");
}

TEST_F(DirectorySourceTest, AnUnreadableFolderFailsWithTheFix) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every folder";
  fs::permissions(root_ / "inbox", fs::perms::none);
  auto batch = Take();
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().message,
            "cannot read folder '" + (root_ / "inbox").string() +
                "': permission denied; make it readable by the user running aimass");
}

TEST_F(DirectorySourceTest, AMissingFolderFailsWithTheFix) {
  fs::remove_all(root_ / "inbox");
  auto batch = Take();
  ASSERT_FALSE(batch);
  EXPECT_NE(batch.error().message.find("no such file or directory"), std::string::npos)
      << batch.error().message;
  fs::create_directories(root_ / "inbox");
}

TEST(DirectorySettingsTest, NamesTheFieldAndTheFix) {
  auto relative = ReadDirectorySettings({{"path", "inbox"}});
  ASSERT_FALSE(relative);
  EXPECT_NE(relative.error().message.find("config.path"), std::string::npos);
  auto unknown = ReadDirectorySettings({{"path", "/srv/in"}, {"glob", "*.csv"}});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("config.glob"), std::string::npos);
  auto settle = ReadDirectorySettings({{"path", "/srv/in"}, {"settle", "soon"}});
  ASSERT_FALSE(settle);
  EXPECT_NE(settle.error().message.find("config.settle"), std::string::npos);
  auto good = ReadDirectorySettings(
      {{"path", "/srv/in/"}, {"pattern", "*.csv"}, {"settle", "500ms"}, {"format", "csv"}});
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->settle_ms, 500);
  EXPECT_EQ(good->pattern, "*.csv");
}

TEST(SourceKindsTest, RegistersKindsOnceAndListsThemInErrors) {
  SourceKinds kinds;
  ASSERT_TRUE(RegisterDirectorySource(kinds));
  EXPECT_FALSE(RegisterDirectorySource(kinds));
  auto access = kinds.Access("directory");
  ASSERT_TRUE(access);
  EXPECT_EQ(*access, SourceAccess::kAdminsOnly);
  auto unknown = kinds.Access("ftp");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("directory"), std::string::npos);
  EXPECT_TRUE(kinds.Check({"inbox", "directory", "events", {{"path", "/srv/in"}}}));
  EXPECT_FALSE(kinds.Check({"inbox", "directory", "events", {{"path", 3}}}));
}

}  // namespace
}  // namespace aimass::data::sources
