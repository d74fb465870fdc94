// Temperature scaling (Guo et al., 2017): a classifier's probabilities p become
// softmax(log p / T). One number, fitted on out-of-fold predictions by minimising log loss;
// T < 1 sharpens probabilities that are too timid (a vote of models, a random forest),
// T > 1 softens overconfident ones. The predicted class and the ranking of a binary model's
// scores stay the same, so accuracy, F1 and ROC AUC do not move; log loss does.
// Functions only; thread-safe.
#pragma once

#include <span>
#include <vector>

namespace aimass::train {

struct Temperature {
  double value = 1;   // 1: leave the probabilities as they are
  double before = 0;  // out-of-fold log loss with T = 1
  double after = 0;   // and with `value`
};

// The T in [0.2, 5] that minimises the log loss of `probabilities` (rows x width, width >= 2)
// against `labels` (class indices). Log loss is convex in 1/T, so a golden-section search
// finds it; `value` stays 1 unless it lowers the log loss by at least `min_gain` (relative).
Temperature FitTemperature(std::span<const double> probabilities, std::span<const float> labels,
                           int width, double min_gain = 0.005);

// Rescales `probabilities` (rows x width) in place; T = 1 leaves them untouched.
void ApplyTemperature(std::vector<double>& probabilities, int width, double temperature);

}  // namespace aimass::train
