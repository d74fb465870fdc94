#include "serve/batch_prediction.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "common/hash.h"
#include "data/dataset_ref.h"
#include "serve/prediction_table.h"
#include "train/frame.h"

namespace aimass::serve {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kExample =
    R"({"endpoint":"fraud","dataset":"applications@2","output":"applications_scored"})";

}  // namespace

BatchPredictionService::BatchPredictionService(store::MetadataStore& store,
                                               data::DatasetService& datasets,
                                               EndpointService& endpoints, const Clock& clock,
                                               BatchPredictionOptions options)
    : store_(store),
      datasets_(datasets),
      endpoints_(endpoints),
      clock_(clock),
      options_(std::move(options)) {}

void BatchPredictionService::RegisterJobs(jobs::WorkerPool& pool) {
  pool.Register(kBatchPredictionJob, [this](jobs::JobContext& context) { return Run(context); });
}

Result<store::JobRecord> BatchPredictionService::Start(const json& body) {
  for (const char* field : {"endpoint", "dataset", "output"}) {
    if (!body.is_object() || !body.value(field, json()).is_string()) {
      return Fail(ErrorCode::kInvalidArgument, std::string("batch predictions need \"") + field +
                                                   "\": send " + std::string(kExample));
    }
  }
  AIMASS_ASSIGN_OR_RETURN(auto endpoint, endpoints_.Get(body["endpoint"]));
  if (!endpoint.deployment) {
    return Fail(ErrorCode::kUnavailable, "endpoint '" + endpoint.record.name +
                                             "' has no model loaded (" + endpoint.state + ")");
  }
  AIMASS_ASSIGN_OR_RETURN(auto ref, data::ParseDatasetRef(body["dataset"].get<std::string>()));
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetVersion(ref.name, ref.version));
  AIMASS_RETURN_IF_ERROR(data::CheckDatasetName(body["output"].get<std::string>()));
  const json params = {{"endpoint", body["endpoint"]},
                       {"dataset", version.dataset_name + "@" + std::to_string(version.version)},
                       {"output", body["output"]}};
  return store_.EnqueueJob(kBatchPredictionJob, params.dump(), clock_.NowMillis(), version.id);
}

Result<jobs::JobOutcome> BatchPredictionService::Run(jobs::JobContext& context) {
  const json& params = context.params();
  const std::string endpoint = params.at("endpoint");
  const std::string dataset = params.at("dataset");
  const std::string output = params.at("output");
  AIMASS_ASSIGN_OR_RETURN(auto status, endpoints_.Get(endpoint));
  if (!status.deployment) {
    return Fail(ErrorCode::kUnavailable,
                "endpoint '" + endpoint + "' has no model loaded (" + status.state + ")");
  }
  const auto model = status.deployment->model;  // held until the job ends
  const train::Pipeline& pipeline = *model->pipeline;
  context.Log("predicting " + dataset + " with " + model->Ref() + " (endpoint " + endpoint + ")");

  AIMASS_ASSIGN_OR_RETURN(auto ref, data::ParseDatasetRef(dataset));
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetVersion(ref.name, ref.version));
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile input_file, datasets_.VersionFile(version));
  AIMASS_RETURN_IF_ERROR(context.Progress(1, "reading " + dataset));
  const auto reading = std::chrono::steady_clock::now();

  std::vector<std::string> needed;
  for (const auto& column : pipeline.schema().columns) needed.push_back(column.name);
  train::Frame frame;
  std::set<std::string> present;
  {
    AIMASS_ASSIGN_OR_RETURN(auto engine, datasets_.OpenEngine());
    AIMASS_ASSIGN_OR_RETURN(auto all, train::LoadParquet(*engine, input_file.path(), {}));
    for (const auto& column : all.columns) present.insert(column.name);
    for (const auto& name : needed) {
      if (!present.contains(name)) {
        return Fail(ErrorCode::kInvalidArgument,
                    dataset + " has no column '" + name + "', which " + model->Ref() +
                        " reads; add it (a transform can) or predict another dataset");
      }
    }
    frame.rows = all.rows;
    for (auto& column : all.columns) {
      if (std::find(needed.begin(), needed.end(), column.name) != needed.end()) {
        frame.columns.push_back(std::move(column));
      }
    }
  }
  for (const auto& name : PredictionColumns(pipeline)) {
    if (present.contains(name)) {
      return Fail(ErrorCode::kInvalidArgument,
                  dataset + " already has a column '" + name +
                      "', which batch prediction adds; rename it with a transform first");
    }
  }

  char rate[96];
  std::snprintf(rate, sizeof rate, "read %lld rows in %.2f s", static_cast<long long>(frame.rows),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - reading).count());
  context.Log(rate);

  // Chunks of rows on every thread; the job's own thread reports progress.
  const int64_t rows = frame.rows;
  const int width = pipeline.width();
  std::vector<double> predicted(static_cast<size_t>(rows) * width);
  const int64_t chunks = (rows + options_.chunk_rows - 1) / options_.chunk_rows;
  std::atomic<int64_t> next{0}, done_rows{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  std::optional<Error> failure;
  const auto work = [&] {
    for (int64_t c = next++; c < chunks && !stop; c = next++) {
      const int64_t begin = c * options_.chunk_rows;
      const int64_t end = std::min(rows, begin + options_.chunk_rows);
      std::vector<int64_t> indexes(static_cast<size_t>(end - begin));
      std::iota(indexes.begin(), indexes.end(), begin);
      auto values = pipeline.Predict(train::TakeRows(frame, indexes));
      if (!values) {
        std::lock_guard lock(error_mu);
        if (!failure) failure = values.error();
        stop = true;
        return;
      }
      std::copy(values->begin(), values->end(), predicted.begin() + begin * width);
      done_rows += end - begin;
    }
  };
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options_.threads); ++t) threads.emplace_back(work);
  Status progress = Ok();
  while (done_rows < rows && !stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    progress = context.Progress(
        5 + static_cast<int>(80 * done_rows / std::max<int64_t>(1, rows)),
        "predicted " + std::to_string(done_rows.load()) + " of " + std::to_string(rows) + " rows");
    if (!progress) stop = true;
  }
  for (auto& thread : threads) thread.join();
  AIMASS_RETURN_IF_ERROR(progress);
  if (failure) return Fail(failure->code, "predicting " + dataset + ": " + failure->message);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::snprintf(rate, sizeof rate, "predicted %lld rows in %.2f s (%.0f rows/s, %d threads)",
                static_cast<long long>(rows), seconds, rows / std::max(seconds, 1e-9),
                options_.threads);
  context.Log(rate);

  // The output: the input's columns beside the predictions, row by row.
  AIMASS_RETURN_IF_ERROR(context.Progress(86, "writing " + output));
  const auto writing = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(options_.temp_dir, ec);
  const fs::path joined = options_.temp_dir / ("batch-" + RandomHex(8) + ".parquet");
  struct Cleanup {
    fs::path file;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(file, ec);
    }
  } cleanup{joined};
  {
    AIMASS_ASSIGN_OR_RETURN(auto engine, datasets_.OpenEngine());
    AIMASS_RETURN_IF_ERROR(WritePredictionTable(*engine, "predictions", pipeline, predicted, rows));
    AIMASS_RETURN_IF_ERROR(
        engine->Execute("COPY (SELECT * FROM read_parquet(" +
                        data::QuoteLiteral(input_file.path().string()) +
                        ") POSITIONAL JOIN predictions) TO " + data::QuoteLiteral(joined.string()) +
                        " (FORMAT parquet)"));
  }
  std::snprintf(rate, sizeof rate, "wrote the inputs beside their predictions in %.2f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - writing).count());
  context.Log(rate);
  const json source = {{"kind", "batch_prediction"},
                       {"endpoint", endpoint},
                       {"model", model->Ref()},
                       {"dataset", dataset}};
  const json lineage = {{"input", dataset}, {"model", model->Ref()}, {"endpoint", endpoint}};
  return datasets_.CommitParquet(context, output, joined, source.dump(), lineage.dump());
}

}  // namespace aimass::serve
