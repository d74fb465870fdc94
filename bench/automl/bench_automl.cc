// bench/automl's aimass side: trains with the real AutoML run (RunAutoMl, as a training job
// does, minus the HTTP and the registry) on a training CSV, then predicts a test CSV with the
// refit pipeline and writes one row of predictions per test row.
// Usage: bench_automl TRAIN.csv TEST.csv TARGET BUDGET_SECONDS THREADS OUT.csv
// OUT.csv: "prediction" (regression) or one column per class (its probability), header first.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "data/engine.h"
#include "train/automl.h"

namespace fs = std::filesystem;
using namespace aimass;

namespace {

// Reads a CSV into a Frame through Parquet, with `types` (column -> DuckDB type) forced when
// given, so that the test file is read the way the training file was.
Result<train::Frame> ReadCsv(data::Engine& engine, const fs::path& csv, const fs::path& parquet,
                             const std::string& types) {
  std::string sql = "COPY (SELECT * FROM read_csv(" + data::QuoteLiteral(csv.string()) +
                    ", header=true" + (types.empty() ? "" : ", types=" + types) + ")) TO " +
                    data::QuoteLiteral(parquet.string()) + " (FORMAT parquet)";
  AIMASS_RETURN_IF_ERROR(engine.Execute(sql));
  return train::LoadParquet(engine, parquet);
}

std::string TypesOf(const train::Frame& frame) {
  std::string out = "{";
  for (const auto& column : frame.columns) {
    if (out.size() > 1) out += ", ";
    out += data::QuoteLiteral(column.name) + ": " + data::QuoteLiteral(column.type);
  }
  return out + "}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: bench_automl TRAIN.csv TEST.csv TARGET BUDGET_SECONDS THREADS OUT.csv\n";
    return 2;
  }
  const fs::path out_dir = fs::path(argv[6]).parent_path();
  auto engine = data::Engine::Open(data::EngineOptions{});
  if (!engine) return std::cerr << engine.error().message << "\n", 1;
  auto train_frame = ReadCsv(**engine, argv[1], out_dir / "train.parquet", "");
  if (!train_frame) return std::cerr << train_frame.error().message << "\n", 1;
  std::string types = TypesOf(*train_frame);
  auto test_frame = ReadCsv(**engine, argv[2], out_dir / "test.parquet", types);
  if (!test_frame) return std::cerr << test_frame.error().message << "\n", 1;

  train::TrainingSpec spec;
  spec.dataset = fs::path(argv[1]).stem().string();
  spec.target = argv[3];
  spec.budget_seconds = std::stod(argv[4]);
  spec.seed = 42;
  train::AutoMlEnvironment environment;
  environment.threads = std::stoi(argv[5]);
  environment.log = [](const std::string& line) { std::cerr << line << "\n"; };
  environment.trial_finished = [](const train::TrialRecord& trial, train::Metric metric) {
    std::cerr << "trial " << trial.ToJson(metric).dump() << "\n";
  };
  const auto start = std::chrono::steady_clock::now();
  auto result = train::RunAutoMl(*train_frame, spec, environment);
  if (!result) return std::cerr << result.error().message << "\n", 1;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto predicted = result->pipeline->Predict(*test_frame);
  if (!predicted) return std::cerr << predicted.error().message << "\n", 1;

  std::ofstream out(argv[6]);
  const int width = result->pipeline->width();
  if (width == 1 && result->classes.empty()) {
    out << "prediction\n";
  } else {
    for (int c = 0; c < width; ++c) out << (c ? "," : "") << '"' << result->classes[c] << '"';
    out << "\n";
  }
  char cell[32];
  for (int64_t r = 0; r < test_frame->rows; ++r) {
    for (int c = 0; c < width; ++c) {
      std::snprintf(cell, sizeof cell, "%.17g", (*predicted)[r * width + c]);
      out << (c ? "," : "") << cell;
    }
    out << "\n";
  }
  std::printf("seconds=%.2f trials=%zu chosen=\"%s\" cv_score=%.6g\n", seconds,
              result->trials.size(), result->chosen.c_str(), result->score);
  return 0;
}
