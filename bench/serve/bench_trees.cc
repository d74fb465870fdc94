// The compiled tree runtime (serve/trees) against XGBoost's own predictor, one thread each.
// Trains a binary model of 500 trees of depth 6 on 50 columns with the aimass "xgboost"
// learner, reloads it with nthread=1, compiles it, then for batches of 1, 16, 256 and 10,000
// rows times TrainedModel::Predict of both (XGBoost's is XGBoosterPredictFromDense, in place),
// interleaved, 5 runs each, and prints a markdown table of medians, in rows per second of
// process CPU time.
// Usage: OMP_WAIT_POLICY=passive bench_trees [RUNS] [SECONDS_PER_RUN] [MODEL.ubj]
// MODEL.ubj, when given, holds the trained model between runs: read when it exists, written
// after training when not (e.g. bench/out/trees_500x6.ubj).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/files.h"
#include "serve/trees/compiled_model.h"
#include "train/learner.h"
#include "train/learners/xgboost/boosted_model.h"

namespace {

using aimass::train::Matrix;
using aimass::train::Task;
using aimass::train::TrainedModel;
using Clock = std::chrono::steady_clock;

constexpr int64_t kCols = 50;
constexpr int64_t kTrainRows = 20000;
constexpr int64_t kPoolRows = 10000;

// Normal features, 5% missing; P(y=1) from a logistic model over 20 columns with two
// interactions, so that the trees split on many columns.
Matrix Features(int64_t rows, std::mt19937_64& random) {
  std::normal_distribution<float> normal;
  std::bernoulli_distribution missing(0.05);
  Matrix out{rows, kCols, std::vector<float>(static_cast<size_t>(rows * kCols))};
  for (float& value : out.values) {
    value = missing(random) ? std::nanf("") : normal(random);
  }
  return out;
}

std::vector<float> Labels(const Matrix& features, std::mt19937_64& random) {
  std::uniform_real_distribution<double> uniform;
  std::vector<float> labels;
  for (int64_t r = 0; r < features.rows; ++r) {
    auto x = [&](int64_t c) {
      const float value = features.at(r, c);
      return std::isnan(value) ? 0.0 : static_cast<double>(value);
    };
    double logit = 2 * x(0) * x(1) - 1.5 * x(2) * x(3);
    for (int64_t c = 4; c < 20; ++c) logit += (c % 2 ? 0.4 : -0.3) * x(c);
    labels.push_back(uniform(random) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  return labels;
}

// `pool` cut into calls of `batch` rows (the last rows that fill no whole call are left out).
std::vector<Matrix> Batches(const Matrix& pool, int64_t batch) {
  std::vector<Matrix> out;
  for (int64_t start = 0; start + batch <= pool.rows; start += batch) {
    Matrix part{batch, pool.cols, {}};
    part.values.assign(pool.values.begin() + start * pool.cols,
                       pool.values.begin() + (start + batch) * pool.cols);
    out.push_back(std::move(part));
  }
  return out;
}

// CPU seconds of the whole process (every thread XGBoost might use): on a shared machine
// far steadier than the wall clock, which counts the time other work holds the cores.
double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Rows per CPU second of `model` predicting `batches` in turn for at least `seconds`.
double RowsPerSecond(const TrainedModel& model, const std::vector<Matrix>& batches,
                     double seconds) {
  int64_t rows = 0;
  const double start = CpuSeconds();
  double elapsed = 0;
  do {
    for (const Matrix& batch : batches) {
      auto predicted = model.Predict(batch);
      if (!predicted) {
        std::fprintf(stderr, "predict failed: %s\n", predicted.error().message.c_str());
        std::exit(1);
      }
      rows += batch.rows;
    }
    elapsed = CpuSeconds() - start;
  } while (elapsed < seconds);
  return static_cast<double>(rows) / elapsed;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Rate(double rows_per_second) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", rows_per_second);
  std::string digits = text;
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

template <typename T>
T OrDie(aimass::Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "%s: %s\n", what, result.error().message.c_str());
    std::exit(1);
  }
  return std::move(*result);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aimass;
  const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 0.3;

  std::mt19937_64 random(20240601);
  const Matrix train_features = Features(kTrainRows, random);
  const std::vector<float> labels = Labels(train_features, random);
  const Matrix pool = Features(kPoolRows, random);

  std::string bytes;
  double train_seconds = 0;
  const std::filesystem::path cache = argc > 3 ? argv[3] : "";
  if (!cache.empty() && std::filesystem::exists(cache)) {
    bytes = OrDie(ReadFile(cache), "reading the model");
  } else {
    train::TrainOptions options;
    options.task = Task::kBinary;
    options.num_classes = 2;
    options.threads = 2;
    const auto train_start = Clock::now();
    auto trained = OrDie(
        train::LearnerRegistry::Builtin().Get("xgboost").value()->Train(
            {&train_features, labels, {}}, {{"n_estimators", 500}, {"max_depth", 6}}, options),
        "training");
    train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
    bytes = OrDie(trained->Serialize(), "saving");
    if (!cache.empty() && !WriteFileAtomically(cache, bytes)) {
      std::fprintf(stderr, "could not write %s\n", cache.c_str());
    }
  }

  // The same model with XGBoost's prediction on one thread.
  auto booster = OrDie(train::xgb::Booster::Load(bytes), "loading");
  if (!booster.SetParam("nthread", "1")) return std::fprintf(stderr, "nthread=1 refused\n"), 1;
  std::shared_ptr<const TrainedModel> xgboost =
      OrDie(train::xgb::BoostedModel::Create(std::move(booster), Task::kBinary, 2, 1), "reloading");
  std::string note;
  const auto compile_start = Clock::now();
  std::shared_ptr<const TrainedModel> compiled =
      serve::CompileIfPossible(xgboost, "xgboost", Task::kBinary, 2, &note);
  const double compile_seconds =
      std::chrono::duration<double>(Clock::now() - compile_start).count();
  if (compiled == xgboost) return std::fprintf(stderr, "%s\n", note.c_str()), 1;

  const auto expected = OrDie(xgboost->Predict(pool), "predicting");
  const auto actual = OrDie(compiled->Predict(pool), "predicting");
  double largest = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    largest = std::max(largest, std::abs(expected[i] - actual[i]));
  }
  char origin[512];
  if (train_seconds > 0) {
    std::snprintf(origin, sizeof origin, "trained in %.1f s (2 threads)", train_seconds);
  } else {
    std::snprintf(origin, sizeof origin, "read from %s", cache.c_str());
  }
  std::printf("model: %s; %s; compiled and probed in %.0f ms\n", note.c_str(), origin,
              compile_seconds * 1000);
  std::printf("largest |compiled - XGBoost| over %lld rows: %g\n\n",
              static_cast<long long>(pool.rows), largest);

  std::printf("rows per CPU second, one thread each, median of %d runs of %.1f s\n\n", runs,
              seconds);
  std::printf("| rows per call | XGBoost rows/s | compiled rows/s | compiled / XGBoost |\n");
  std::printf("|---:|---:|---:|---:|\n");
  for (const int64_t batch : {1, 16, 256, 10000}) {
    const std::vector<Matrix> batches = Batches(pool, batch);
    std::vector<double> xgboost_rates;
    std::vector<double> compiled_rates;
    for (int run = 0; run < runs; ++run) {
      // Interleaved, the first side alternating, so that noise on a shared machine touches both.
      if (run % 2 == 0) xgboost_rates.push_back(RowsPerSecond(*xgboost, batches, seconds));
      compiled_rates.push_back(RowsPerSecond(*compiled, batches, seconds));
      if (run % 2 == 1) xgboost_rates.push_back(RowsPerSecond(*xgboost, batches, seconds));
    }
    const double slow = Median(xgboost_rates);
    const double fast = Median(compiled_rates);
    std::printf("| %s | %s | %s | %.1fx |\n", Rate(static_cast<double>(batch)).c_str(),
                Rate(slow).c_str(), Rate(fast).c_str(), fast / slow);
    std::fflush(stdout);
  }
  return 0;
}
