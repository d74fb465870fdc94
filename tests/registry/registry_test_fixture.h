// A RegistryService over a temp-dir SQLite store and blob store, with helpers to make
// member files and count what the registry holds.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>

#include "blob/local_blob_store.h"
#include "common/clock.h"
#include "common/hash.h"
#include "registry/registry_service.h"
#include "store/sqlite_store.h"

namespace aimass::registry::testing {

// What "the registry is unchanged" compares: models, versions, blobs, scratch files.
struct RegistryCounts {
  size_t models = 0, versions = 0, blobs = 0, scratch = 0;
  bool operator==(const RegistryCounts&) const = default;
};

inline void PrintTo(const RegistryCounts& c, std::ostream* os) {
  *os << "{models " << c.models << ", versions " << c.versions << ", blobs " << c.blobs
      << ", scratch " << c.scratch << "}";
}

class RegistryTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxMemberBytes = 1000;

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("aimass-registry-" + RandomHex(6));
    std::filesystem::create_directories(dir_ / "in");
    auto store = store::SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto blobs = blob::LocalBlobStore::Open(dir_ / "blobs");
    ASSERT_TRUE(blobs) << blobs.error().message;
    blobs_ = std::move(*blobs);
    RegistryOptions options;
    options.bundle.max_member_bytes = kMaxMemberBytes;
    registry_ = std::make_unique<RegistryService>(*store_, *blobs_, clock_, options);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A file outside the blob store holding `bytes`.
  std::filesystem::path File(const std::string& bytes) {
    auto path = dir_ / "in" / RandomHex(6);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  static store::NewModelVersion Info(const std::string& model) {
    store::NewModelVersion v;
    v.model_name = model;
    v.task = "binary";
    v.description = "gradient boosted trees";
    v.metrics_json = R"({"roc_auc":0.91,"accuracy":0.88})";
    v.leaderboard_json = R"([{"learner":"xgboost","roc_auc":0.91}])";
    v.params_json = R"({"max_depth":6,"eta":0.3})";
    v.lineage_json = R"({"dataset":"credit@1","seed":42})";
    return v;
  }

  Result<store::ModelVersionRecord> Register(const std::string& model,
                                             const std::string& learner = std::string("trees\0\x01",
                                                                                      7),
                                             const std::string& manifest = "{\"pipeline\":1}") {
    return registry_->Register(Info(model),
                               {{"model.json", File(manifest)}, {"learners/0.ubj", File(learner)}});
  }

  using Counts = RegistryCounts;
  Counts Count() {
    Counts counts;
    auto models = store_->SearchModels({});
    EXPECT_TRUE(models);
    counts.models = models->size();
    for (const auto& m : *models) counts.versions += static_cast<size_t>(m.version_count);
    counts.blobs = blobs_->List()->size();
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(dir_ / "blobs" / "tmp")) {
      ++counts.scratch;
    }
    return counts;
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<blob::LocalBlobStore> blobs_;
  std::unique_ptr<RegistryService> registry_;
};

}  // namespace aimass::registry::testing
