// The built-in step types over real services: the serve fixture's store, blobs, registry and
// endpoints (with its quickly trained models), plus the DataLake, training and batch
// predictions with a worker pool that runs the jobs steps launch.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "common/project_scope.h"
#include "data/dataset_service.h"
#include "jobs/worker_pool.h"
#include "pipelines/step_type.h"
#include "pipelines/steps/builtin_steps.h"
#include "serve/batch_prediction.h"
#include "serve/serve_fixture.h"
#include "train/training_service.h"

namespace aimass::pipelines::testing {

class StepsTest : public serve::testing::ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    data::DataOptions data_options;
    data_options.uploads_dir = dir_ / "uploads";
    data_options.engine_temp_dir = dir_ / "tmp";
    datasets_ = std::make_unique<data::DatasetService>(*store_, *blobs_, clock_, data_options);
    train::TrainingServiceOptions train_options;
    train_options.engine_temp_dir = dir_ / "tmp";
    training_ = std::make_unique<train::TrainingService>(*store_, *blobs_, *registry_, clock_,
                                                         train_options);
    serve::BatchPredictionOptions batch_options;
    batch_options.temp_dir = dir_ / "tmp";
    batch_ = std::make_unique<serve::BatchPredictionService>(*store_, *datasets_, *service_, clock_,
                                                             batch_options);
    jobs::WorkerOptions worker_options;
    worker_options.threads = 2;
    worker_options.poll_millis = 20;
    pool_ = std::make_unique<jobs::WorkerPool>(*store_, clock_, worker_options);
    datasets_->RegisterJobs(*pool_);
    training_->RegisterJobs(*pool_);
    batch_->RegisterJobs(*pool_);
    pool_->Start();
    AddBuiltInSteps(steps_, StepServices{.store = *store_,
                                         .blobs = *blobs_,
                                         .datasets = *datasets_,
                                         .training = *training_,
                                         .registry = *registry_,
                                         .loader = *loader_,
                                         .endpoints = *service_,
                                         .batch = *batch_,
                                         .clock = clock_,
                                         .notify_timeout = std::chrono::milliseconds(3000),
                                         .poll_interval = std::chrono::milliseconds(20)});
  }

  void TearDown() override {
    pool_->Stop();
    pool_.reset();
    batch_.reset();
    training_.reset();
    datasets_.reset();
    ServeTest::TearDown();
  }

  StepType& Step(const std::string& name) {
    StepType* type = steps_.Find(name);
    EXPECT_NE(type, nullptr) << name;
    return *type;
  }

  static StepInput Input(nlohmann::json with, bool admin = true) {
    StepInput input;
    input.run_id = 7;
    input.pipeline = "nightly";
    input.step = "s";
    input.with = std::move(with);
    input.applied_by = admin ? "root" : "ana";
    input.admin = admin;
    input.project_id = kDefaultProjectId;
    return input;
  }

  // Runs an inline step in a "pipeline.step" job of its own, as the runner does.
  Result<nlohmann::json> RunInline(const std::string& type, const StepInput& input) {
    const int64_t now = clock_.NowMillis();
    EXPECT_TRUE(store_->EnqueueJob("pipeline.step", "{}", now));
    auto claimed = store_->ClaimJob("test", {"pipeline.step"}, now + 60000, now);
    EXPECT_TRUE(claimed && *claimed);
    jobs::JobContext context(*store_, clock_, **claimed, nlohmann::json::object(), 60000);
    return Step(type).Run(input, context);
  }

  // Launches a job step, waits for its job and answers its outputs.
  Result<nlohmann::json> RunLaunched(const std::string& type, const StepInput& input) {
    auto launched = Step(type).Launch(input);
    if (!launched) return Fail(launched.error());
    EXPECT_TRUE(launched->has_value());
    pool_->Wake();
    const int64_t id = (*launched)->id;
    for (int waited = 0; waited < 60000; waited += 20) {
      auto job = store_->GetJob(id);
      if (job && store::IsFinished(job->state)) {
        if (job->state != store::JobState::kSucceeded) {
          return Fail(ErrorCode::kInternal, "job failed: " + job->error);
        }
        return Step(type).Outputs(input, nlohmann::json::parse(job->result_json));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Fail(ErrorCode::kDeadlineExceeded, "job did not finish");
  }

  // The synthetic binary frame of the serve fixture's models as a CSV file.
  std::filesystem::path WriteCsv(int rows, uint64_t seed) {
    const train::Frame frame = train::testing::MakeFrame(rows, train::Task::kBinary, seed);
    const auto path = dir_ / ("frame-" + std::to_string(seed) + ".csv");
    std::ofstream out(path);
    out << "x1,x2,x3,city,y\n";
    for (int64_t r = 0; r < frame.rows; ++r) {
      for (size_t c = 0; c < frame.columns.size(); ++c) {
        const auto& column = frame.columns[c];
        if (c > 0) out << ",";
        if (column.kind == train::ColumnKind::kNumber) {
          if (!std::isnan(column.numbers[r])) out << column.numbers[r];
        } else {
          out << column.texts[r];
        }
      }
      out << "\n";
    }
    return path;
  }

  // Imports WriteCsv(rows, seed) as the next version of `dataset` through the import step.
  std::string ImportFrame(const std::string& dataset, int rows, uint64_t seed) {
    auto outputs =
        RunLaunched("import", Input({{"dataset", dataset}, {"path", WriteCsv(rows, seed)}}));
    EXPECT_TRUE(outputs) << outputs.error().message;
    return outputs ? (*outputs)["dataset"].get<std::string>() : "";
  }

  std::unique_ptr<data::DatasetService> datasets_;
  std::unique_ptr<train::TrainingService> training_;
  std::unique_ptr<serve::BatchPredictionService> batch_;
  std::unique_ptr<jobs::WorkerPool> pool_;
  StepTypeRegistry steps_;
};

}  // namespace aimass::pipelines::testing
