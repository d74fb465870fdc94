// Bundles: export -> import gives the same members and metadata; every bad bundle is
// refused with a message naming the problem, and leaves the registry as it was.
#include "registry/bundle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/files.h"
#include "registry/raw_tar.h"
#include "registry/registry_test_fixture.h"

namespace aimass::registry {
namespace {
using nlohmann::json;
using testing::RawEntry;
using testing::RawTar;

class BundleTest : public testing::RegistryTest {
 protected:
  // Exports `ref` into a file and returns its path.
  std::filesystem::path Export(const std::string& ref) {
    auto download = registry_->Export(*ParseModelRef(ref));
    EXPECT_TRUE(download) << download.error().message;
    auto path = dir_ / download->filename;
    std::ofstream out(path, std::ios::binary);
    EXPECT_TRUE(WriteBundle(download->plan, [&](std::string_view bytes) {
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      return true;
    }));
    out.close();
    EXPECT_EQ(std::filesystem::file_size(path), download->plan.size);
    EXPECT_EQ(BundleSize(download->version), download->plan.size);
    return path;
  }

  // A manifest listing `members` (name -> bytes) with their real sizes and hashes.
  static json Manifest(const std::vector<std::pair<std::string, std::string>>& members) {
    json list = json::array();
    for (const auto& [name, bytes] : members) {
      list.push_back({{"name", name}, {"size", bytes.size()}, {"sha256", Sha256Hex(bytes)}});
    }
    return {{"format", "aimass-model-bundle"},
            {"format_version", 1},
            {"model", "imported"},
            {"version", 4},
            {"task", "regression"},
            {"metrics", {{"rmse", 2.5}}},
            {"members", list}};
  }

  std::filesystem::path BundleFile(const std::string& bytes) {
    auto path = dir_ / ("bad-" + RandomHex(4) + ".aimass");
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Imports `bytes` as a bundle; it must be refused with a message containing `expected`,
  // and the registry must be unchanged.
  void ExpectRefused(const std::string& bytes, const std::string& expected) {
    const Counts before = Count();
    auto imported = registry_->Import(BundleFile(bytes), {});
    ASSERT_FALSE(imported) << "imported " << imported->model_name;
    EXPECT_EQ(imported.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(imported.error().message.find(expected), std::string::npos)
        << imported.error().message;
    EXPECT_EQ(Count(), before);
  }

  static RawEntry ManifestEntry(const json& manifest) { return {"manifest.json", manifest.dump()}; }

  const std::string model_json_ = "{\"pipeline\":1}";
  const std::string learner_ = std::string("\0\x01trees", 7);
};

TEST_F(BundleTest, ExportThenImportGivesTheSameMembersAndMetadata) {
  auto original = Register("credit");
  ASSERT_TRUE(original);
  auto file = Export("credit@1");
  auto imported = registry_->Import(file, {"credit_copy", "credit-1.aimass"});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->model_name, "credit_copy");
  EXPECT_EQ(imported->version, 1);
  ASSERT_EQ(imported->members.size(), original->members.size());
  for (size_t i = 0; i < original->members.size(); ++i) {
    EXPECT_EQ(imported->members[i].name, original->members[i].name);
    EXPECT_EQ(imported->members[i].blob_hash, original->members[i].blob_hash);
    EXPECT_EQ(imported->members[i].size_bytes, original->members[i].size_bytes);
  }
  EXPECT_EQ(imported->task, original->task);
  EXPECT_EQ(imported->description, original->description);
  for (auto field :
       {&store::ModelVersionRecord::metrics_json, &store::ModelVersionRecord::leaderboard_json,
        &store::ModelVersionRecord::params_json, &store::ModelVersionRecord::lineage_json}) {
    EXPECT_EQ(json::parse((*imported).*field), json::parse((*original).*field));
  }
  json source = json::parse(imported->source_json);
  EXPECT_EQ(source["kind"], "bundle");
  EXPECT_EQ(source["from"], "credit@1");
  EXPECT_EQ(source["filename"], "credit-1.aimass");
  // Without --name, the bundle's own model gets a new version.
  auto again = registry_->Import(file, {});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->model_name, "credit");
  EXPECT_EQ(again->version, 2);
  EXPECT_EQ(Count().scratch, 0u);
}

TEST_F(BundleTest, ExportsOfOneVersionAreIdenticalAndReadableByAlias) {
  ASSERT_TRUE(Register("credit"));
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 1));
  auto first = ReadFile(Export("credit@1"));
  std::filesystem::remove(dir_ / "credit-1.aimass");
  auto second = ReadFile(Export("credit@champion"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(first->substr(0, 13), "manifest.json");  // the manifest comes first
}

TEST_F(BundleTest, AHandMadeBundleImports) {
  auto manifest = Manifest({{"model.json", model_json_}, {"learners/0.ubj", learner_}});
  auto imported = registry_->Import(
      BundleFile(RawTar(
          {ManifestEntry(manifest), {"model.json", model_json_}, {"learners/0.ubj", learner_}})),
      {});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->model_name, "imported");
  EXPECT_EQ(imported->task, "regression");
  EXPECT_EQ(json::parse(imported->metrics_json)["rmse"], 2.5);
}

TEST_F(BundleTest, TruncatedBundlesAreRefused) {
  ASSERT_TRUE(Register("credit", std::string(900, 'x')));
  auto whole = ReadFile(Export("credit@1"));
  ASSERT_TRUE(whole);
  for (size_t cut : {whole->size() - 1024, whole->size() / 2, size_t{300}}) {
    SCOPED_TRACE(cut);
    ExpectRefused(whole->substr(0, cut), "truncated");
  }
}

TEST_F(BundleTest, AWrongChecksumIsRefusedNamingTheMember) {
  auto manifest = Manifest({{"model.json", model_json_}, {"learners/0.ubj", learner_}});
  std::string altered = learner_;
  altered[3] ^= 1;  // same size, other bytes
  ExpectRefused(
      RawTar({ManifestEntry(manifest), {"model.json", model_json_}, {"learners/0.ubj", altered}}),
      "member 'learners/0.ubj' does not match its SHA-256 in manifest.json");
}

TEST_F(BundleTest, AbsolutePathsAndParentComponentsAreRefused) {
  auto manifest = Manifest({{"model.json", model_json_}});
  ExpectRefused(
      RawTar({ManifestEntry(manifest), {"model.json", model_json_}, {"/etc/cron.d/evil", "x"}}),
      "member '/etc/cron.d/evil' is an absolute path");
  ExpectRefused(
      RawTar({ManifestEntry(manifest), {"model.json", model_json_}, {"learners/../../evil", "x"}}),
      "member 'learners/../../evil' has a '..' component");
}

TEST_F(BundleTest, LinksDevicesAndDirectoriesAreRefused) {
  auto manifest = Manifest({{"model.json", model_json_}});
  ExpectRefused(RawTar({ManifestEntry(manifest),
                        {"model.json", model_json_},
                        {"learners/0.ubj", "", '2', "/etc/passwd"}}),
                "archive member 'learners/0.ubj' is a symbolic link");
  ExpectRefused(RawTar({ManifestEntry(manifest), {"model.json", "", '1', "manifest.json"}}),
                "is a hard link");
  ExpectRefused(RawTar({ManifestEntry(manifest), {"dev", "", '3'}}), "is a character device");
  ExpectRefused(RawTar({{"learners/", "", '5'}, ManifestEntry(manifest)}), "is a directory");
}

TEST_F(BundleTest, OversizeMembersAreRefusedBeforeTheyAreRead) {
  const std::string big(kMaxMemberBytes + 1, 'b');
  auto manifest = Manifest({{"model.json", model_json_}, {"big.bin", big}});
  ExpectRefused(RawTar({ManifestEntry(manifest), {"model.json", model_json_}, {"big.bin", big}}),
                "member 'big.bin' is 1001 bytes, over the limit of 1000 bytes");
}

TEST_F(BundleTest, MissingExtraAndDuplicateMembersAreRefused) {
  auto both = Manifest({{"model.json", model_json_}, {"learners/0.ubj", learner_}});
  ExpectRefused(RawTar({ManifestEntry(both), {"model.json", model_json_}}),
                "member 'learners/0.ubj' is listed in manifest.json but missing from the archive");
  auto one = Manifest({{"model.json", model_json_}});
  ExpectRefused(RawTar({ManifestEntry(one), {"model.json", model_json_}, {"extra.bin", "x"}}),
                "archive member 'extra.bin' is not listed in manifest.json");
  // The manifest last: strangers are found once the whole archive is read.
  ExpectRefused(RawTar({{"model.json", model_json_}, {"extra.bin", "x"}, ManifestEntry(one)}),
                "archive member 'extra.bin' is not listed in manifest.json");
  ExpectRefused(
      RawTar({ManifestEntry(one), {"model.json", model_json_}, {"model.json", model_json_}}),
      "member 'model.json' appears twice in the archive");
  ExpectRefused(RawTar({ManifestEntry(one), ManifestEntry(one), {"model.json", model_json_}}),
                "manifest.json appears twice");
  json listed_twice = Manifest({{"model.json", model_json_}, {"model.json", model_json_}});
  ExpectRefused(RawTar({ManifestEntry(listed_twice), {"model.json", model_json_}}),
                "member 'model.json' is listed twice");
}

TEST_F(BundleTest, BadManifestsAreRefused) {
  ExpectRefused(RawTar({{"model.json", model_json_}}), "has no manifest.json");
  ExpectRefused(RawTar({{"manifest.json", "not json"}}), "manifest.json: not a JSON object");
  auto manifest = Manifest({{"model.json", model_json_}});
  manifest["format_version"] = 2;
  ExpectRefused(RawTar({ManifestEntry(manifest), {"model.json", model_json_}}),
                "written by a newer aimass");
  manifest = Manifest({{"model.json", model_json_}});
  manifest["task"] = "ranking";
  ExpectRefused(RawTar({ManifestEntry(manifest), {"model.json", model_json_}}), "task 'ranking'");
  manifest = Manifest({{"model.json", model_json_}});
  manifest["model"] = "no/slashes";
  ExpectRefused(RawTar({ManifestEntry(manifest), {"model.json", model_json_}}),
                "model name 'no/slashes' is not allowed");
  manifest = Manifest({{"model.json", model_json_}});
  manifest["members"][0]["size"] = 99;
  ExpectRefused(RawTar({ManifestEntry(manifest), {"model.json", model_json_}}),
                "but manifest.json says 99 bytes");
}

TEST_F(BundleTest, AManifestNestedTooDeepIsRefusedBeforeItIsParsed) {
  // Copying or writing a value nested 100,000 deep overflows the stack: the manifest's
  // "params" were written back with dump() and crashed the server.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{\"a\":";
  deep += "1" + std::string(100000, '}');
  std::string manifest = Manifest({{"model.json", model_json_}}).dump();
  manifest.insert(manifest.size() - 1, ",\"params\":" + deep);
  ExpectRefused(RawTar({{"manifest.json", manifest}, {"model.json", model_json_}}),
                "manifest.json nests arrays and objects deeper than 64 levels");
}

}  // namespace
}  // namespace aimass::registry
