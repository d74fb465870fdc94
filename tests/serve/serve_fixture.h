// An EndpointService over a temp-dir SQLite store, blob store and registry, with two small
// trained binary models (trained once per test binary) to register as versions.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "blob/local_blob_store.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/hash.h"
#include "monitor/metrics.h"
#include "registry/registry_service.h"
#include "serve/endpoint_service.h"
#include "serve/model_loader.h"
#include "serve/prediction_log.h"
#include "store/sqlite_store.h"
#include "train/automl.h"
#include "train/automl_frames.h"

namespace aimass::serve::testing {

// The files of a pipeline trained by one quick xgboost trial on a synthetic binary frame
// (x1, x2, x3, city -> y "yes"/"no"). `seed` picks the frame: 1 and 2 give different models.
inline const train::PipelineFiles& TrainedFiles(uint64_t seed) {
  static const auto train = [](uint64_t frame_seed) {
    train::TrainingSpec spec = train::testing::Spec(60);
    spec.max_trials = 1;
    spec.learners = {"xgboost"};
    spec.ensemble = train::EnsembleMode::kNone;
    spec.cv_folds = 2;
    auto result = train::RunAutoMl(train::testing::MakeFrame(200, train::Task::kBinary, frame_seed),
                                   spec, train::testing::Environment());
    EXPECT_TRUE(result) << result.error().message;
    auto files = result->pipeline->Save();
    EXPECT_TRUE(files) << files.error().message;
    return *files;
  };
  static const train::PipelineFiles first = train(1);
  static const train::PipelineFiles second = train(2);
  return seed == 1 ? first : second;
}

// A record with every column the models read.
inline nlohmann::json Record(double x1, const std::string& city = "oslo") {
  return {{"x1", x1}, {"x2", 0.0}, {"x3", 0.1}, {"city", city}};
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("aimass-serve-" + RandomHex(6));
    std::filesystem::create_directories(dir_);
    auto store = store::SqliteStore::Open(dir_ / "aimass.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto blobs = blob::LocalBlobStore::Open(dir_ / "blobs");
    ASSERT_TRUE(blobs) << blobs.error().message;
    blobs_ = std::move(*blobs);
    registry_ = std::make_unique<registry::RegistryService>(*store_, *blobs_, clock_);
    loader_ = std::make_unique<ModelLoader>(*registry_);
    PredictionLogOptions log_options;
    log_options.dir = dir_ / "predictions";
    log_ = std::make_unique<PredictionLog>(log_options, clock_);
    service_ = MakeService();
  }

  void TearDown() override {
    service_.reset();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A service that does not refresh on its own (tests call Refresh) unless Start is called.
  std::unique_ptr<EndpointService> MakeService() {
    EndpointServiceOptions options;
    options.refresh_interval = std::chrono::hours(1);
    options.max_records = 50;
    return std::make_unique<EndpointService>(*store_, *loader_, *log_, metrics_, clock_, options);
  }

  // Registers the next version of `model` from the pipeline TrainedFiles(seed) made, the way
  // the training service does (member files written as scratch files, then Register).
  store::ModelVersionRecord RegisterTrained(const std::string& model, uint64_t seed) {
    return RegisterFiles(model, TrainedFiles(seed).files);
  }

  store::ModelVersionRecord RegisterFiles(const std::string& model,
                                          const std::map<std::string, std::string>& files) {
    std::vector<registry::MemberFile> members;
    for (const auto& [name, bytes] : files) {
      members.push_back({name, blobs_->NewScratchPath(".member")});
      EXPECT_TRUE(WriteFileAtomically(members.back().file, bytes));
    }
    store::NewModelVersion version;
    version.model_name = model;
    version.task = "binary";
    auto registered = registry_->Register(version, members);
    EXPECT_TRUE(registered) << registered.error().message;
    return registered ? *registered : store::ModelVersionRecord{};
  }

  static store::EndpointRecord Endpoint(const std::string& name, const std::string& model) {
    store::EndpointRecord endpoint;
    endpoint.name = name;
    endpoint.model = model;
    return endpoint;
  }

  // The value of the sample `line` (name with labels) in the metrics text; -1 when absent.
  double Metric(const std::string& line) {
    const std::string text = metrics_.Expose();
    auto at = text.find("\n" + line + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + line.size() + 2));
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<blob::LocalBlobStore> blobs_;
  std::unique_ptr<registry::RegistryService> registry_;
  std::unique_ptr<ModelLoader> loader_;
  std::unique_ptr<PredictionLog> log_;
  monitor::MetricsRegistry metrics_;
  std::unique_ptr<EndpointService> service_;
};

}  // namespace aimass::serve::testing
