// Small synthetic frames and settings for tests of whole AutoML runs.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "train/automl.h"

namespace aimass::train::testing {

// y depends on x1 (strongly), x2 (weakly) and the city; x3 is noise; some x2 are missing.
inline Frame MakeFrame(int rows, Task task, uint64_t seed = 1) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal;
  Frame frame;
  frame.rows = rows;
  FrameColumn x1{"x1", "DOUBLE", ColumnKind::kNumber, {}, {}, {}};
  FrameColumn x2{"x2", "DOUBLE", ColumnKind::kNumber, {}, {}, {}};
  FrameColumn x3{"x3", "DOUBLE", ColumnKind::kNumber, {}, {}, {}};
  FrameColumn city{"city", "VARCHAR", ColumnKind::kText, {}, {}, {}};
  FrameColumn y{"y",
                task == Task::kRegression ? "DOUBLE" : "VARCHAR",
                task == Task::kRegression ? ColumnKind::kNumber : ColumnKind::kText,
                {},
                {},
                {}};
  const char* cities[] = {"paris", "oslo", "rome"};
  for (int i = 0; i < rows; ++i) {
    const double a = normal(random), b = normal(random), c = normal(random);
    const int k = static_cast<int>(random() % 3);
    x1.numbers.push_back(a);
    x2.numbers.push_back(i % 10 == 0 ? NAN : b);
    x3.numbers.push_back(c);
    city.texts.push_back(cities[k]);
    city.present.push_back(1);
    const double signal = 2 * a + 0.5 * b + (k == 1 ? 1.0 : 0.0) + 0.3 * normal(random);
    if (task == Task::kRegression) {
      y.numbers.push_back(signal);
    } else {
      const char* label = task == Task::kBinary ? (signal > 0.3 ? "yes" : "no")
                          : signal < -1         ? "low"
                          : signal < 1          ? "mid"
                                                : "high";
      y.texts.push_back(label);
      y.present.push_back(1);
    }
  }
  for (auto* column : {&x1, &x2, &x3, &city, &y}) frame.columns.push_back(std::move(*column));
  return frame;
}

inline TrainingSpec Spec(double budget = 30) {
  TrainingSpec spec;
  spec.dataset = "synthetic";
  spec.target = "y";
  spec.budget_seconds = budget;
  spec.cv_folds = 3;
  spec.seed = 7;
  return spec;
}

inline AutoMlEnvironment Environment() {
  AutoMlEnvironment environment;
  environment.threads = 2;
  if (std::getenv("AIMASS_TEST_LOG") != nullptr) {  // to watch a run: AIMASS_TEST_LOG=1
    environment.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  }
  return environment;
}

}  // namespace aimass::train::testing
