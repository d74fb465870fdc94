#include "registry/tar.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/files.h"
#include "common/hash.h"
#include "registry/raw_tar.h"

namespace aimass::registry::tar {
namespace {
namespace fs = std::filesystem;
using testing::RawEntry;
using testing::RawTar;

class TarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-tar-" + RandomHex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& bytes) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Every entry of an archive file: name -> data (or the error).
  Result<std::vector<std::pair<Entry, std::string>>> ReadAll(const fs::path& file) {
    AIMASS_ASSIGN_OR_RETURN(auto reader, Reader::Open(file));
    std::vector<std::pair<Entry, std::string>> entries;
    while (true) {
      AIMASS_ASSIGN_OR_RETURN(auto entry, reader->Next());
      if (!entry) return entries;
      std::string data;
      AIMASS_RETURN_IF_ERROR(reader->ReadData([&](std::string_view chunk) -> Status {
        data.append(chunk);
        return Ok();
      }));
      entries.emplace_back(*entry, data);
    }
  }

  fs::path dir_;
};

std::string Written(const std::function<Status(Writer&)>& fill) {
  std::string archive;
  Writer writer(
      [&](std::string_view bytes) {
        archive.append(bytes);
        return true;
      },
      1700000000);
  EXPECT_TRUE(fill(writer));
  EXPECT_TRUE(writer.Finish());
  return archive;
}

TEST_F(TarTest, WhatTheWriterWritesTheReaderReadsBack) {
  const std::string binary("\0\x01\xff bytes\0", 10);
  const std::string long_name = std::string(120, 'd') + "/" + std::string(90, 'f');
  fs::path member = Write("member.bin", std::string(70000, 'x'));
  std::string archive = Written([&](Writer& w) -> Status {
    AIMASS_RETURN_IF_ERROR(w.AddBytes("manifest.json", "{}"));
    AIMASS_RETURN_IF_ERROR(w.AddBytes("learners/0.ubj", binary));
    AIMASS_RETURN_IF_ERROR(w.AddBytes(long_name, "deep"));
    return w.AddFile("big.bin", member, 70000);
  });
  EXPECT_EQ(archive.size(), ArchiveSize({2, binary.size(), 4, 70000}));
  EXPECT_EQ(archive.size() % 512, 0u);
  auto entries = ReadAll(Write("a.tar", archive));
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].first.name, "manifest.json");
  EXPECT_EQ((*entries)[1].second, binary);
  EXPECT_EQ((*entries)[2].first.name, long_name);  // split into prefix and name
  EXPECT_EQ((*entries)[3].second, std::string(70000, 'x'));
  for (const auto& [entry, data] : *entries) EXPECT_TRUE(IsRegularFile(entry.typeflag));
}

TEST_F(TarTest, TheSystemTarListsWhatTheWriterWrites) {
  if (std::system("tar --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no tar here";
  std::string archive = Written([](Writer& w) -> Status {
    AIMASS_RETURN_IF_ERROR(w.AddBytes("manifest.json", "{}"));
    return w.AddBytes("learners/0.ubj", "abc");
  });
  fs::path file = Write("b.aimass", archive);
  fs::path listing = dir_ / "listing.txt";
  ASSERT_EQ(std::system(("tar tf " + file.string() + " > " + listing.string()).c_str()), 0);
  EXPECT_EQ(*ReadFile(listing), "manifest.json\nlearners/0.ubj\n");
}

TEST_F(TarTest, SameFilesGiveTheSameBytes) {
  auto make = [] {
    return Written([](Writer& w) { return w.AddBytes("model.json", "{\"trees\":1}"); });
  };
  EXPECT_EQ(Sha256Hex(make()), Sha256Hex(make()));
}

TEST_F(TarTest, NamesThatDoNotFitUstarAreRefused) {
  EXPECT_TRUE(SplitName(std::string(100, 'a')));
  EXPECT_FALSE(SplitName(std::string(101, 'a')));         // no '/' to split at
  EXPECT_FALSE(SplitName(std::string(160, 'a') + "/b"));  // prefix over 155
  auto split = SplitName(std::string(150, 'a') + "/" + std::string(100, 'b'));
  ASSERT_TRUE(split);
  EXPECT_EQ(split->first.size(), 150u);
  EXPECT_EQ(split->second.size(), 100u);
}

TEST_F(TarTest, OtherEntryTypesAreReportedAsSuch) {
  auto entries = ReadAll(Write(
      "c.tar", RawTar({{"link", "", '2', "/etc/passwd"}, {"dir/", "", '5'}, {"dev", "", '3'}})));
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ(TypeName((*entries)[0].first.typeflag), "a symbolic link");
  EXPECT_EQ(TypeName((*entries)[1].first.typeflag), "a directory");
  EXPECT_EQ(TypeName((*entries)[2].first.typeflag), "a character device");
}

TEST_F(TarTest, TruncationIsFoundWhereverTheFileEnds) {
  std::string archive = RawTar({{"a.bin", std::string(1000, 'a')}, {"b.bin", "bbb"}});
  // Inside a header, inside data, between entries, and before the end marker.
  for (size_t cut : {size_t{100}, size_t{700}, size_t{1536}, size_t{2048}}) {
    SCOPED_TRACE(cut);
    auto entries = ReadAll(Write("cut.tar", archive.substr(0, cut)));
    ASSERT_FALSE(entries);
    EXPECT_EQ(entries.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(entries.error().message.find("truncated"), std::string::npos)
        << entries.error().message;
  }
}

TEST_F(TarTest, ASizeLargerThanTheFileIsTruncationNotAnAllocation) {
  // 8 GiB claimed by a 2 KiB file: refused from the header, nothing is read or reserved.
  auto entries = ReadAll(Write("huge.tar", RawTar({{"x", "abc", '0', "", 077777777777LL}})));
  ASSERT_FALSE(entries);
  EXPECT_NE(entries.error().message.find("says it holds 8589934591 bytes"), std::string::npos)
      << entries.error().message;
}

TEST_F(TarTest, DamagedHeadersAndOtherFilesAreNotArchives) {
  std::string archive = RawTar({{"a.bin", "abc"}});
  archive[10] ^= 1;  // the name changes, the checksum does not
  auto damaged = ReadAll(Write("damaged.tar", archive));
  ASSERT_FALSE(damaged);
  EXPECT_NE(damaged.error().message.find("checksum"), std::string::npos);
  auto json = ReadAll(Write("not.tar", std::string(600, '{')));
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("aimass bundle"), std::string::npos);
  auto empty = ReadAll(Write("empty.tar", ""));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace aimass::registry::tar
