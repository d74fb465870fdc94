#include "serve/batch_prediction.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "common/hash.h"
#include "data/dataset_ref.h"
#include "train/frame.h"

namespace aimass::serve {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kExample =
    R"({"endpoint":"fraud","dataset":"applications@2","output":"applications_scored"})";

// A SQL identifier or string literal: doubled quotes inside.
std::string Quoted(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  return out + quote;
}

// A CSV field: quoted, with doubled quotes.
std::string CsvField(std::string_view text) { return Quoted(text, '"'); }

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// The columns batch prediction adds, in order: prediction, then probability_<class>.
std::vector<std::string> AddedColumns(const train::Pipeline& pipeline) {
  std::vector<std::string> out = {"prediction"};
  if (IsClassification(pipeline.task())) {
    for (const auto& name : pipeline.classes()) out.push_back("probability_" + name);
  }
  return out;
}

// Writes one line per row: the predicted class (or number) and each class's probability.
Status WritePredictionsCsv(const fs::path& path, const train::Pipeline& pipeline,
                           const std::vector<double>& predicted, int64_t rows) {
  std::ofstream out(path, std::ios::binary);
  const auto added = AddedColumns(pipeline);
  for (size_t i = 0; i < added.size(); ++i) out << (i ? "," : "") << CsvField(added[i]);
  out << '\n';
  const int width = pipeline.width();
  const bool classes = IsClassification(pipeline.task());
  std::vector<std::string> class_fields;
  for (const auto& name : pipeline.classes()) class_fields.push_back(CsvField(name));
  std::string line;
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = predicted.data() + r * width;
    line.clear();
    if (!classes) {
      line = Number(row[0]);
    } else {
      const int best = static_cast<int>(std::max_element(row, row + width) - row);
      line = class_fields[static_cast<size_t>(best)];
      for (int c = 0; c < width; ++c) line += "," + Number(row[c]);
    }
    line += '\n';
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  out.close();
  if (!out) return Fail(ErrorCode::kInternal, "cannot write " + path.string());
  return Ok();
}

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
  AIMASS_ASSIGN_OR_RETURN(auto path, datasets_.VersionFile(version));
  AIMASS_RETURN_IF_ERROR(context.Progress(1, "reading " + dataset));

  std::vector<std::string> needed;
  for (const auto& column : pipeline.schema().columns) needed.push_back(column.name);
  train::Frame frame;
  std::set<std::string> present;
  {
    AIMASS_ASSIGN_OR_RETURN(auto engine, datasets_.OpenEngine());
    AIMASS_ASSIGN_OR_RETURN(auto all, train::LoadParquet(*engine, path, {}));
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
  for (const auto& name : AddedColumns(pipeline)) {
    if (present.contains(name)) {
      return Fail(ErrorCode::kInvalidArgument,
                  dataset + " already has a column '" + name +
                      "', which batch prediction adds; rename it with a transform first");
    }
  }

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
  char rate[96];
  std::snprintf(rate, sizeof rate, "predicted %lld rows in %.2f s (%.0f rows/s, %d threads)",
                static_cast<long long>(rows), seconds, rows / std::max(seconds, 1e-9),
                options_.threads);
  context.Log(rate);

  // The output: the input's columns beside the predictions, row by row.
  AIMASS_RETURN_IF_ERROR(context.Progress(86, "writing " + output));
  std::error_code ec;
  fs::create_directories(options_.temp_dir, ec);
  const std::string stem = "batch-" + RandomHex(8);
  const fs::path csv = options_.temp_dir / (stem + ".csv");
  const fs::path joined = options_.temp_dir / (stem + ".parquet");
  struct Cleanup {
    std::vector<fs::path> files;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& file : files) fs::remove(file, ec);
    }
  } cleanup{{csv, joined}};
  AIMASS_RETURN_IF_ERROR(WritePredictionsCsv(csv, pipeline, predicted, rows));
  std::string columns;
  const auto added = AddedColumns(pipeline);
  for (size_t i = 0; i < added.size(); ++i) {
    const bool text = i == 0 && IsClassification(pipeline.task());
    columns += (i ? ", " : "") + Quoted(added[i], '\'') + ": " + (text ? "'VARCHAR'" : "'DOUBLE'");
  }
  {
    AIMASS_ASSIGN_OR_RETURN(auto engine, datasets_.OpenEngine());
    AIMASS_RETURN_IF_ERROR(
        engine->Execute("COPY (SELECT * FROM read_parquet(" + Quoted(path.string(), '\'') +
                        ") POSITIONAL JOIN read_csv(" + Quoted(csv.string(), '\'') +
                        ", header = true, quote = '\"', escape = '\"', columns = {" + columns +
                        "})) TO " + Quoted(joined.string(), '\'') + " (FORMAT parquet)"));
  }
  const json source = {{"kind", "batch_prediction"},
                       {"endpoint", endpoint},
                       {"model", model->Ref()},
                       {"dataset", dataset}};
  const json lineage = {{"input", dataset}, {"model", model->Ref()}, {"endpoint", endpoint}};
  return datasets_.CommitParquet(context, output, joined, source.dump(), lineage.dump());
}

}  // namespace aimass::serve
