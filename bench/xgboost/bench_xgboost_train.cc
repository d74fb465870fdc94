// Times the aimass "xgboost" learner's Train (DMatrix construction included) on a float32
// feature file and a float32 label file written by bench/xgboost/run.
// Usage: bench_xgboost_train X.f32 Y.f32 ROWS COLS ROUNDS THREADS [PREDICTIONS.f64]
// Prints: seconds=<s> rounds=<n> peak_rss_mib=<m>; PREDICTIONS gets P(y=1) of the first
// 10,000 rows (float64), for checking that both sides built the same model.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "ingest/peak_rss.h"
#include "train/learner.h"

namespace {

bool ReadFloats(const char* path, std::vector<float>& out, size_t count) {
  out.resize(count);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(count * 4));
  return in.gcount() == static_cast<std::streamsize>(count * 4);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace aimass::train;
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s X.f32 Y.f32 ROWS COLS ROUNDS THREADS [PREDICTIONS.f64]\n",
                 argv[0]);
    return 2;
  }
  Matrix features;
  features.rows = std::atoll(argv[3]);
  features.cols = std::atoll(argv[4]);
  std::vector<float> labels;
  if (!ReadFloats(argv[1], features.values, static_cast<size_t>(features.rows * features.cols)) ||
      !ReadFloats(argv[2], labels, static_cast<size_t>(features.rows))) {
    std::fprintf(stderr, "could not read %s and %s as %s x %s float32\n", argv[1], argv[2], argv[3],
                 argv[4]);
    return 1;
  }
  // The parameters bench/xgboost/run gives Python's xgboost.train.
  const nlohmann::json params = {{"n_estimators", std::atoi(argv[5])},
                                 {"learning_rate", 0.1},
                                 {"max_depth", 6},
                                 {"min_child_weight", 1},
                                 {"subsample", 1},
                                 {"colsample_bytree", 1},
                                 {"reg_lambda", 1},
                                 {"reg_alpha", 0.001},
                                 {"max_bin", 256}};
  TrainOptions options;
  options.task = Task::kBinary;
  options.num_classes = 2;
  options.threads = std::atoi(argv[6]);
  options.seed = 0;

  const auto start = std::chrono::steady_clock::now();
  auto model = LearnerRegistry::Builtin().Get("xgboost").value()->Train(
      TrainInput{&features, labels, {}}, params, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!model) {
    std::fprintf(stderr, "%s\n", model.error().message.c_str());
    return 1;
  }
  if (argc > 7) {
    Matrix head = features;
    head.rows = std::min<int64_t>(10'000, features.rows);
    head.values.resize(static_cast<size_t>(head.rows * head.cols));
    auto predictions = (*model)->Predict(head);
    if (!predictions) {
      std::fprintf(stderr, "%s\n", predictions.error().message.c_str());
      return 1;
    }
    std::vector<double> positive;
    for (size_t i = 1; i < predictions->size(); i += 2) positive.push_back((*predictions)[i]);
    std::ofstream out(argv[7], std::ios::binary);
    out.write(reinterpret_cast<const char*>(positive.data()),
              static_cast<std::streamsize>(positive.size() * sizeof(double)));
  }
  std::printf("seconds=%.3f rounds=%d peak_rss_mib=%.0f\n", seconds,
              (*model)->Info()["rounds"].get<int>(), PeakRssMiB());
  return 0;
}
