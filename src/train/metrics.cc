#include "train/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace aimass::train {
namespace {

constexpr double kProbabilityClip = 1e-15;
constexpr Metric kAllMetrics[] = {Metric::kAccuracy, Metric::kBalancedAccuracy,
                                  Metric::kLogLoss,  Metric::kRocAuc,
                                  Metric::kF1,       Metric::kRmse,
                                  Metric::kMae,      Metric::kR2};

std::string NamesFor(Task task) {
  std::string names;
  for (Metric metric : MetricsFor(task)) {
    names += (names.empty() ? "" : ", ") + std::string(MetricName(metric));
  }
  return names;
}

// Predictions of a classification task seen as rows x classes probabilities, whatever the
// width they came in.
class Probabilities {
 public:
  Probabilities(std::span<const double> values, int width)
      : values_(values), width_(width), classes_(width == 1 ? 2 : width) {}
  int classes() const { return classes_; }
  double at(size_t row, int c) const {
    if (width_ == 1) return c == 1 ? values_[row] : 1 - values_[row];
    return values_[row * width_ + c];
  }
  // The most likely class; ties go to the lower index, as numpy's argmax.
  int Argmax(size_t row) const {
    int best = 0;
    for (int c = 1; c < classes_; ++c) {
      if (at(row, c) > at(row, best)) best = c;
    }
    return best;
  }

 private:
  std::span<const double> values_;
  int width_;
  int classes_;
};

// Area under the ROC curve of `scores` for `positive` rows: the Mann–Whitney statistic with
// tied scores given their average rank (equal to the trapezoid area sklearn computes).
// NaN when one side is empty.
double RocAuc(std::span<const double> scores, const std::vector<bool>& positive) {
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  double positives = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t t = i; t < j; ++t) {
      if (positive[order[t]]) {
        positive_rank_sum += average_rank;
        ++positives;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0 || negatives == 0) return std::nan("");
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

Result<double> ClassificationScore(Metric metric, Task task, std::span<const float> labels,
                                   const Probabilities& p) {
  const size_t rows = labels.size();
  const int k = p.classes();
  std::vector<int> truth(rows);
  for (size_t i = 0; i < rows; ++i) truth[i] = static_cast<int>(labels[i]);
  switch (metric) {
    case Metric::kAccuracy: {
      size_t right = 0;
      for (size_t i = 0; i < rows; ++i) right += p.Argmax(i) == truth[i];
      return static_cast<double>(right) / static_cast<double>(rows);
    }
    case Metric::kBalancedAccuracy: {
      std::vector<double> right(k), total(k);
      for (size_t i = 0; i < rows; ++i) {
        ++total[truth[i]];
        right[truth[i]] += p.Argmax(i) == truth[i];
      }
      double sum = 0, present = 0;
      for (int c = 0; c < k; ++c) {
        if (total[c] == 0) continue;
        sum += right[c] / total[c];
        ++present;
      }
      return sum / present;
    }
    case Metric::kLogLoss: {
      // Clipped, then renormalized to sum to 1, as scikit-learn does.
      double loss = 0;
      for (size_t i = 0; i < rows; ++i) {
        double sum = 0;
        for (int c = 0; c < k; ++c)
          sum += std::clamp(p.at(i, c), kProbabilityClip, 1 - kProbabilityClip);
        loss -=
            std::log(std::clamp(p.at(i, truth[i]), kProbabilityClip, 1 - kProbabilityClip) / sum);
      }
      return loss / static_cast<double>(rows);
    }
    case Metric::kRocAuc: {
      std::vector<double> scores(rows);
      std::vector<bool> positive(rows);
      double sum = 0, counted = 0;
      for (int c = task == Task::kBinary ? 1 : 0; c < k; ++c) {
        for (size_t i = 0; i < rows; ++i) {
          scores[i] = p.at(i, c);
          positive[i] = truth[i] == c;
        }
        // Classes absent from the labels (a small validation fold) are left out of the mean.
        const double auc = RocAuc(scores, positive);
        if (std::isnan(auc)) continue;
        sum += auc;
        ++counted;
      }
      if (counted == 0) {
        return Fail(ErrorCode::kInvalidArgument,
                    "ROC AUC needs rows of at least two classes in the labels; use more "
                    "validation rows or another metric");
      }
      return sum / counted;
    }
    case Metric::kF1: {
      std::vector<double> tp(k), fp(k), fn(k);
      for (size_t i = 0; i < rows; ++i) {
        const int predicted = p.Argmax(i);
        if (predicted == truth[i]) {
          ++tp[predicted];
        } else {
          ++fp[predicted];
          ++fn[truth[i]];
        }
      }
      const auto f1 = [&](int c) {
        const double denominator = 2 * tp[c] + fp[c] + fn[c];
        return denominator == 0 ? 0.0 : 2 * tp[c] / denominator;  // sklearn's zero_division
      };
      if (task == Task::kBinary) return f1(1);
      // Macro over the classes in the labels or the predictions, as sklearn's unique_labels.
      double sum = 0, counted = 0;
      for (int c = 0; c < k; ++c) {
        if (tp[c] + fp[c] + fn[c] == 0) continue;
        sum += f1(c);
        ++counted;
      }
      return sum / counted;
    }
    default:
      break;
  }
  return Fail(ErrorCode::kInternal, "not a classification metric");
}

Result<double> RegressionScore(Metric metric, std::span<const float> labels,
                               std::span<const double> predicted) {
  const auto rows = static_cast<double>(labels.size());
  double squared = 0, absolute = 0, mean = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double error = static_cast<double>(labels[i]) - predicted[i];
    squared += error * error;
    absolute += std::fabs(error);
    mean += labels[i];
  }
  mean /= rows;
  switch (metric) {
    case Metric::kRmse:
      return std::sqrt(squared / rows);
    case Metric::kMae:
      return absolute / rows;
    case Metric::kR2: {
      if (labels.size() < 2) {
        return Fail(ErrorCode::kInvalidArgument, "R2 needs at least 2 rows; use rmse or mae");
      }
      double total = 0;
      for (float label : labels) total += (label - mean) * (label - mean);
      // Constant labels: sklearn's force_finite convention (1 if perfect, else 0).
      if (total == 0) return squared == 0 ? 1.0 : 0.0;
      return 1 - squared / total;
    }
    default:
      break;
  }
  return Fail(ErrorCode::kInternal, "not a regression metric");
}

}  // namespace

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kAccuracy:
      return "accuracy";
    case Metric::kBalancedAccuracy:
      return "balanced_accuracy";
    case Metric::kLogLoss:
      return "log_loss";
    case Metric::kRocAuc:
      return "roc_auc";
    case Metric::kF1:
      return "f1";
    case Metric::kRmse:
      return "rmse";
    case Metric::kMae:
      return "mae";
    case Metric::kR2:
      return "r2";
  }
  return "rmse";
}

bool MetricFits(Metric metric, Task task) {
  const bool regression =
      metric == Metric::kRmse || metric == Metric::kMae || metric == Metric::kR2;
  return regression == (task == Task::kRegression);
}

Result<Metric> ParseMetric(std::string_view name, Task task) {
  for (Metric metric : kAllMetrics) {
    if (MetricName(metric) != name) continue;
    if (MetricFits(metric, task)) return metric;
    return Fail(ErrorCode::kInvalidArgument, "metric '" + std::string(name) + "' does not fit a " +
                                                 std::string(TaskName(task)) +
                                                 " task; use one of: " + NamesFor(task));
  }
  return Fail(ErrorCode::kInvalidArgument, "unknown metric '" + std::string(name) + "' for a " +
                                               std::string(TaskName(task)) +
                                               " task; use one of: " + NamesFor(task));
}

bool HigherIsBetter(Metric metric) {
  return !(metric == Metric::kLogLoss || metric == Metric::kRmse || metric == Metric::kMae);
}

Metric DefaultMetric(Task task) {
  switch (task) {
    case Task::kBinary:
      return Metric::kRocAuc;
    case Task::kMulticlass:
      return Metric::kLogLoss;
    case Task::kRegression:
      return Metric::kRmse;
  }
  return Metric::kRmse;
}

std::vector<Metric> MetricsFor(Task task) {
  std::vector<Metric> metrics = {DefaultMetric(task)};
  for (Metric metric : kAllMetrics) {
    if (MetricFits(metric, task) && metric != metrics[0]) metrics.push_back(metric);
  }
  return metrics;
}

Result<double> Score(Metric metric, Task task, std::span<const float> labels,
                     std::span<const double> predictions, int width) {
  if (!MetricFits(metric, task)) {
    return Fail(ErrorCode::kInvalidArgument, "metric '" + std::string(MetricName(metric)) +
                                                 "' does not fit a " + std::string(TaskName(task)) +
                                                 " task; use one of: " + NamesFor(task));
  }
  if (labels.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no rows to score; the validation set is empty");
  }
  const bool width_fits = task == Task::kRegression ? width == 1
                          : task == Task::kBinary   ? width == 1 || width == 2
                                                    : width >= 2;
  if (!width_fits || predictions.size() != labels.size() * static_cast<size_t>(width)) {
    return Fail(ErrorCode::kInvalidArgument, "predictions of width " + std::to_string(width) +
                                                 " (" + std::to_string(predictions.size()) +
                                                 " values) do not fit " +
                                                 std::to_string(labels.size()) + " labels of a " +
                                                 std::string(TaskName(task)) + " task");
  }
  for (size_t i = 0; i < predictions.size(); ++i) {
    if (!std::isfinite(predictions[i])) {
      return Fail(ErrorCode::kInvalidArgument, "prediction " + std::to_string(i) +
                                                   " is not a finite number; the model is broken");
    }
  }
  if (task == Task::kRegression) return RegressionScore(metric, labels, predictions);
  const Probabilities probabilities(predictions, width);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!(labels[i] >= 0 && labels[i] < static_cast<float>(probabilities.classes())) ||
        labels[i] != std::trunc(labels[i])) {
      return Fail(ErrorCode::kInvalidArgument,
                  "label of row " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                      ", not a class index below " + std::to_string(probabilities.classes()));
    }
  }
  return ClassificationScore(metric, task, labels, probabilities);
}

}  // namespace aimass::train
