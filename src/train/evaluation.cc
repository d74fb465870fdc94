#include "train/evaluation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "train/metrics.h"
#include "train/splits.h"

namespace aimass::train {
namespace {

// Probability of class c in row i, whatever the width (binary may come as 1 column).
double ProbabilityAt(std::span<const double> predictions, int width, size_t row, int c) {
  if (width == 1) return c == 1 ? predictions[row] : 1 - predictions[row];
  return predictions[row * width + c];
}

nlohmann::json ConfusionMatrix(std::span<const std::string> classes, std::span<const float> labels,
                               std::span<const double> predictions, int width) {
  const int k = width == 1 ? 2 : width;
  std::vector<std::vector<int64_t>> counts(k, std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < labels.size(); ++i) {
    int predicted = 0;
    for (int c = 1; c < k; ++c) {
      if (ProbabilityAt(predictions, width, i, c) >
          ProbabilityAt(predictions, width, i, predicted)) {
        predicted = c;
      }
    }
    ++counts[static_cast<int>(labels[i])][predicted];
  }
  nlohmann::json names = nlohmann::json::array();
  for (int c = 0; c < k; ++c) {
    names.push_back(c < static_cast<int>(classes.size()) ? classes[c] : std::to_string(c));
  }
  return {{"classes", std::move(names)}, {"counts", std::move(counts)}};
}

// The ROC curve through each distinct score as threshold (a row is called positive when its
// score is >= the threshold), thinned to at most kMaxRocPoints evenly spaced points that
// keep both ends.
nlohmann::json RocCurve(std::span<const float> labels, std::span<const double> predictions,
                        int width) {
  const size_t n = labels.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  const auto score = [&](size_t row) { return ProbabilityAt(predictions, width, row, 1); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score(a) > score(b); });
  double positives = 0;
  for (float label : labels) positives += label == 1;
  const double negatives = static_cast<double>(n) - positives;
  std::vector<double> fpr = {0}, tpr = {0};
  std::vector<nlohmann::json> thresholds = {nullptr};
  double tp = 0, fp = 0;
  for (size_t i = 0; i < n;) {
    const double threshold = score(order[i]);
    for (; i < n && score(order[i]) == threshold; ++i) (labels[order[i]] == 1 ? tp : fp) += 1;
    fpr.push_back(negatives > 0 ? fp / negatives : 0);
    tpr.push_back(positives > 0 ? tp / positives : 0);
    thresholds.push_back(threshold);
  }
  nlohmann::json curve = {{"fpr", nlohmann::json::array()},
                          {"tpr", nlohmann::json::array()},
                          {"thresholds", nlohmann::json::array()}};
  const size_t points = fpr.size();
  const size_t keep = std::min(points, kMaxRocPoints);
  for (size_t j = 0; j < keep; ++j) {
    const size_t index = keep == 1 ? 0 : (j * (points - 1) + (keep - 1) / 2) / (keep - 1);
    curve["fpr"].push_back(fpr[index]);
    curve["tpr"].push_back(tpr[index]);
    curve["thresholds"].push_back(thresholds[index]);
  }
  return curve;
}

nlohmann::json Residuals(std::span<const float> labels, std::span<const double> predictions,
                         uint64_t seed) {
  std::vector<int64_t> rows(labels.size());
  std::iota(rows.begin(), rows.end(), 0);
  if (rows.size() > kMaxResiduals) {
    std::mt19937_64 rng(seed);
    Shuffle(rows, rng);
    rows.resize(kMaxResiduals);
    std::sort(rows.begin(), rows.end());
  }
  nlohmann::json actual = nlohmann::json::array(), predicted = nlohmann::json::array();
  for (int64_t row : rows) {
    actual.push_back(static_cast<double>(labels[row]));
    predicted.push_back(predictions[row]);
  }
  return {{"actual", std::move(actual)}, {"predicted", std::move(predicted)}};
}

}  // namespace

Result<nlohmann::json> Evaluate(Task task, std::span<const std::string> classes,
                                std::span<const float> labels, std::span<const double> predictions,
                                int width, uint64_t seed) {
  // Accuracy and RMSE fail only on input that does not fit; after them, a metric that fails
  // is one undefined for these labels (ROC AUC with one class present): kept as null.
  AIMASS_RETURN_IF_ERROR(Score(IsClassification(task) ? Metric::kAccuracy : Metric::kRmse, task,
                               labels, predictions, width));
  nlohmann::json metrics = nlohmann::json::object();
  for (Metric metric : MetricsFor(task)) {
    auto value = Score(metric, task, labels, predictions, width);
    metrics[std::string(MetricName(metric))] = value ? nlohmann::json(*value) : nlohmann::json();
  }
  nlohmann::json out = {
      {"task", TaskName(task)}, {"rows", labels.size()}, {"metrics", std::move(metrics)}};
  if (IsClassification(task)) {
    out["confusion_matrix"] = ConfusionMatrix(classes, labels, predictions, width);
  }
  if (task == Task::kBinary) out["roc_curve"] = RocCurve(labels, predictions, width);
  if (task == Task::kRegression) out["residuals"] = Residuals(labels, predictions, seed);
  return out;
}

}  // namespace aimass::train
