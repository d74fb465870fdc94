// Small synthetic problems with known structure for the learner tests, and the metrics to
// judge them. Deterministic for a seed (libstdc++'s mt19937_64 and normal_distribution).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <span>
#include <vector>

#include "train/learner.h"

namespace aimass::train::testing {

struct Problem {
  Matrix features;
  std::vector<float> labels;
  std::vector<float> weights;

  TrainInput Input() const { return TrainInput{&features, labels, weights}; }
};

inline Matrix RandomNormal(int64_t rows, int64_t cols, std::mt19937_64& random) {
  std::normal_distribution<float> normal;
  Matrix features{rows, cols, std::vector<float>(static_cast<size_t>(rows * cols))};
  for (float& value : features.values) value = normal(random);
  return features;
}

// Binary: P(y=1) = sigmoid(3 (x0 - x1) + 2 x2 x3), the product only with cols >= 4;
// columns 4.. are noise. cols >= 2.
inline Problem MakeBinary(int64_t rows, int64_t cols, uint64_t seed) {
  std::mt19937_64 random(seed);
  Problem problem{RandomNormal(rows, cols, random), {}, {}};
  std::uniform_real_distribution<double> uniform;
  for (int64_t i = 0; i < rows; ++i) {
    const auto x = problem.features.row(i);
    const double logit = 3 * (x[0] - x[1]) + (cols >= 4 ? 2 * x[2] * x[3] : 0.0);
    problem.labels.push_back(uniform(random) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  return problem;
}

// Multiclass: class c shifts column c by +2.5; other columns are noise. classes <= cols.
inline Problem MakeMulticlass(int64_t rows, int64_t cols, int classes, uint64_t seed) {
  std::mt19937_64 random(seed);
  Problem problem{RandomNormal(rows, cols, random), {}, {}};
  std::uniform_int_distribution<int> pick(0, classes - 1);
  for (int64_t i = 0; i < rows; ++i) {
    const int label = pick(random);
    problem.features.values[i * cols + label] += 2.5f;
    problem.labels.push_back(static_cast<float>(label));
  }
  return problem;
}

// Regression: y = 100 + 10 (2 x0 - x1 + sin(2 x2)) + noise * N(0, 1); columns 3.. are noise.
// cols >= 3.
inline Problem MakeRegression(int64_t rows, int64_t cols, uint64_t seed, double noise) {
  std::mt19937_64 random(seed);
  Problem problem{RandomNormal(rows, cols, random), {}, {}};
  std::normal_distribution<double> normal;
  for (int64_t i = 0; i < rows; ++i) {
    const auto x = problem.features.row(i);
    const double y = 100 + 10 * (2 * x[0] - x[1] + std::sin(2 * x[2])) + noise * normal(random);
    problem.labels.push_back(static_cast<float>(y));
  }
  return problem;
}

// Area under the ROC curve of scores for 0/1 labels (ties count one half).
inline double Auc(std::span<const double> scores, std::span<const float> labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  double positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = (i + j + 1) / 2.0;  // average 1-based rank of the tie group
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] == 1) {
        rank_sum += rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

// Column `column` of a row-major rows x width table.
inline std::vector<double> Column(std::span<const double> table, int width, int column) {
  std::vector<double> out;
  for (size_t i = column; i < table.size(); i += width) out.push_back(table[i]);
  return out;
}

// Share of rows whose most probable class is the label.
inline double Accuracy(std::span<const double> probabilities, int width,
                       std::span<const float> labels) {
  double right = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto row = probabilities.subspan(i * width, width);
    const auto best = std::max_element(row.begin(), row.end()) - row.begin();
    right += best == static_cast<int64_t>(labels[i]);
  }
  return right / static_cast<double>(labels.size());
}

inline double RSquared(std::span<const double> predictions, std::span<const float> labels) {
  double mean = 0;
  for (float y : labels) mean += y;
  mean /= static_cast<double>(labels.size());
  double residual = 0;
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    residual += (labels[i] - predictions[i]) * (labels[i] - predictions[i]);
    total += (labels[i] - mean) * (labels[i] - mean);
  }
  return 1 - residual / total;
}

// One thread: on these small problems OpenMP's barriers cost more than a second thread
// gains, and far more when the cores are busy with other work (libgomp spins by default).
inline TrainOptions Options(Task task, int num_classes, uint64_t seed = 7, int threads = 1) {
  TrainOptions options;
  options.task = task;
  options.num_classes = num_classes;
  options.threads = threads;
  options.seed = seed;
  return options;
}

}  // namespace aimass::train::testing
