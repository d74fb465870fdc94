#include "train/calibration.h"

#include <algorithm>
#include <cmath>

namespace aimass::train {
namespace {

constexpr double kFloor = 1e-15;  // as scikit-learn's log_loss clips

// log p of every value, floored: taken once, since the search evaluates the loss ~45 times.
std::vector<double> Logs(std::span<const double> probabilities) {
  std::vector<double> logs(probabilities.size());
  for (size_t i = 0; i < logs.size(); ++i) logs[i] = std::log(std::max(probabilities[i], kFloor));
  return logs;
}

// Mean log loss of softmax(beta * log p) over the rows, from `logs` = log p.
double LogLossAt(std::span<const double> logs, std::span<const float> labels, int width,
                 double beta) {
  const size_t rows = labels.size();
  const size_t w = static_cast<size_t>(width);
  double total = 0;
  for (size_t r = 0; r < rows; ++r) {
    const double* row = logs.data() + r * w;
    const double top = beta * *std::max_element(row, row + w);  // beta > 0
    double sum = 0;
    for (size_t c = 0; c < w; ++c) sum += std::exp(beta * row[c] - top);
    total += std::log(sum) - (beta * row[static_cast<size_t>(labels[r])] - top);
  }
  return rows == 0 ? 0 : total / static_cast<double>(rows);
}

}  // namespace

Temperature FitTemperature(std::span<const double> probabilities, std::span<const float> labels,
                           int width, double min_gain) {
  Temperature fitted;
  if (width < 2 || labels.empty() ||
      probabilities.size() != labels.size() * static_cast<size_t>(width)) {
    return fitted;
  }
  const std::vector<double> logs = Logs(probabilities);
  fitted.before = LogLossAt(logs, labels, width, 1);
  fitted.after = fitted.before;
  // Golden-section search over beta = 1/T in [0.2, 5].
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double low = 0.2, high = 5;
  double a = high - ratio * (high - low), b = low + ratio * (high - low);
  double fa = LogLossAt(logs, labels, width, a);
  double fb = LogLossAt(logs, labels, width, b);
  for (int i = 0; i < 40 && high - low > 1e-4; ++i) {
    if (fa < fb) {
      high = b, b = a, fb = fa;
      a = high - ratio * (high - low);
      fa = LogLossAt(logs, labels, width, a);
    } else {
      low = a, a = b, fa = fb;
      b = low + ratio * (high - low);
      fb = LogLossAt(logs, labels, width, b);
    }
  }
  const double beta = (low + high) / 2;
  const double loss = LogLossAt(logs, labels, width, beta);
  if (std::isfinite(loss) && loss < fitted.before * (1 - min_gain)) {
    fitted.value = 1 / beta;
    fitted.after = loss;
  }
  return fitted;
}

void ApplyTemperature(std::vector<double>& probabilities, int width, double temperature) {
  if (temperature == 1 || width < 2) return;
  const double beta = 1 / temperature;
  const size_t w = static_cast<size_t>(width);
  for (size_t start = 0; start + w <= probabilities.size(); start += w) {
    double* row = probabilities.data() + start;
    double top = -INFINITY;
    for (size_t c = 0; c < w; ++c) {
      row[c] = beta * std::log(std::max(row[c], kFloor));
      top = std::max(top, row[c]);
    }
    double sum = 0;
    for (size_t c = 0; c < w; ++c) sum += row[c] = std::exp(row[c] - top);
    for (size_t c = 0; c < w; ++c) row[c] /= sum;
  }
}

}  // namespace aimass::train
