#include "train/learners/linear/linear_model.h"

#include <linear.h>

#include <algorithm>
#include <cmath>

#include "train/learners/input_check.h"

namespace aimass::train {
namespace {

bool IsProbabilitySolver(int solver) {
  return solver == L2R_LR || solver == L1R_LR || solver == L2R_LR_DUAL || solver == kMultinomialLr;
}

bool IsRegressionSolver(int solver) {
  return solver == L2R_L2LOSS_SVR || solver == L2R_L2LOSS_SVR_DUAL || solver == L2R_L1LOSS_SVR_DUAL;
}

// The preprocessor imputes before a linear learner; a NaN left over reads as 0, as a value
// liblinear never saw (it skips zeros).
inline double Value(float value) { return std::isnan(value) ? 0.0 : value; }

}  // namespace

Result<std::unique_ptr<LinearModel>> LinearModel::Create(LinearWeights weights, Task task,
                                                         int num_classes, nlohmann::json info) {
  const std::string solver(SolverName(weights.solver_type));
  if (weights.w.size() != static_cast<size_t>(weights.Rows()) * weights.Columns()) {
    return Fail(ErrorCode::kInvalidArgument,
                "liblinear model: the weights do not match "
                "nr_feature and nr_class");
  }
  std::vector<int> position;
  if (task == Task::kRegression) {
    if (!weights.IsRegression() || !IsRegressionSolver(weights.solver_type)) {
      return Fail(ErrorCode::kInvalidArgument, "the liblinear model (" + solver +
                                                   ") is a classifier; a regression task "
                                                   "needs an SVR model (L2R_L2LOSS_SVR)");
    }
  } else {
    if (weights.IsRegression() || !IsProbabilitySolver(weights.solver_type)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the liblinear model (" + solver + ") gives no probabilities; a " +
                      std::string(TaskName(task)) + " task needs L2R_LR, L1R_LR or L2R_LR_DUAL");
    }
    position.assign(static_cast<size_t>(num_classes), -1);
    for (size_t p = 0; p < weights.labels.size(); ++p) {
      const int label = weights.labels[p];
      if (label < 0 || label >= num_classes || position[label] >= 0) {
        return Fail(ErrorCode::kInvalidArgument, "the liblinear model's label " +
                                                     std::to_string(label) +
                                                     " is not a distinct class index in [0, " +
                                                     std::to_string(num_classes) + ")");
      }
      position[label] = static_cast<int>(p);
    }
  }
  std::unique_ptr<LinearModel> model(
      new LinearModel(std::move(weights), task, num_classes, std::move(info)));
  model->position_ = std::move(position);
  return model;
}

int LinearModel::OutputWidth() const {
  return train::OutputWidthOf(task_, num_classes_);
}

void LinearModel::Decisions(std::span<const float> row, std::vector<double>& out) const {
  const int columns = weights_.Columns();
  out.assign(static_cast<size_t>(columns), 0.0);
  // Feature by feature, then the bias: liblinear's order, so the sums match it bit for bit.
  for (int j = 0; j < weights_.nr_feature; ++j) {
    const double value = Value(row[j]);
    if (value == 0) continue;
    const double* w = &weights_.w[static_cast<size_t>(j) * columns];
    for (int c = 0; c < columns; ++c) out[c] += w[c] * value;
  }
  if (weights_.bias >= 0) {
    const double* w = &weights_.w[static_cast<size_t>(weights_.nr_feature) * columns];
    for (int c = 0; c < columns; ++c) out[c] += w[c] * weights_.bias;
  }
}

Result<std::vector<double>> LinearModel::Predict(const Matrix& features) const {
  AIMASS_RETURN_IF_ERROR(CheckMatrix("linear", features, weights_.nr_feature));
  const int width = OutputWidth();
  std::vector<double> out(static_cast<size_t>(features.rows) * width, 0.0);
  std::vector<double> decisions;
  for (int64_t i = 0; i < features.rows; ++i) {
    Decisions(features.row(i), decisions);
    double* row = &out[static_cast<size_t>(i) * width];
    if (task_ == Task::kRegression) {
      row[0] = decisions[0];
      continue;
    }
    // liblinear's predict_probability: a sigmoid per decision value; the two classes of a
    // binary model share one, several are normalised to sum to 1 (one-vs-rest). A
    // multinomial model's are the softmax of its decision values.
    const int classes = weights_.nr_class;
    std::vector<double> probability(static_cast<size_t>(classes));
    if (weights_.solver_type == kMultinomialLr) {
      const double top = *std::max_element(decisions.begin(), decisions.end());
      double sum = 0;
      for (int p = 0; p < classes; ++p) sum += probability[p] = std::exp(decisions[p] - top);
      for (int p = 0; p < classes; ++p) probability[p] /= sum;
    } else if (classes == 2) {
      probability[0] = 1 / (1 + std::exp(-decisions[0]));
      probability[1] = 1. - probability[0];
    } else {
      double sum = 0;
      for (int p = 0; p < classes; ++p) {
        probability[p] = 1 / (1 + std::exp(-decisions[p]));
        sum += probability[p];
      }
      for (int p = 0; p < classes; ++p) probability[p] /= sum;
    }
    // Classes the training rows lacked keep probability 0.
    for (int p = 0; p < classes; ++p) row[weights_.labels[p]] = probability[p];
  }
  return out;
}

double LinearModel::ClassWeight(int j, int c) const {
  const int columns = weights_.Columns();
  const double* w = &weights_.w[static_cast<size_t>(j) * columns];
  if (task_ == Task::kRegression) return w[0];
  const int p = position_[c];
  if (p < 0) return 0;
  if (columns == 1) return p == 0 ? w[0] : -w[0];
  return w[p];
}

Result<std::vector<double>> LinearModel::Contributions(const Matrix& features) const {
  AIMASS_RETURN_IF_ERROR(CheckMatrix("linear", features, weights_.nr_feature));
  // Binary: the margin of class 1 (the logit of its probability); multiclass: each class's
  // decision value (softmax'ed by a multinomial model; one-vs-rest sigmoids otherwise);
  // regression: the prediction.
  std::vector<int> classes;
  if (task_ == Task::kMulticlass) {
    for (int c = 0; c < num_classes_; ++c) classes.push_back(c);
  } else {
    classes.push_back(task_ == Task::kBinary ? 1 : 0);
  }
  const int64_t cols = features.cols;
  std::vector<double> out(static_cast<size_t>(features.rows) * classes.size() * (cols + 1));
  size_t k = 0;
  for (int64_t i = 0; i < features.rows; ++i) {
    const auto row = features.row(i);
    for (int c : classes) {
      for (int64_t j = 0; j < cols; ++j) out[k++] = ClassWeight(j, c) * Value(row[j]);
      out[k++] = weights_.bias >= 0 ? ClassWeight(weights_.nr_feature, c) * weights_.bias : 0;
    }
  }
  return out;
}

std::vector<double> LinearModel::Importance() const {
  const int columns = weights_.Columns();
  std::vector<double> importance(static_cast<size_t>(weights_.nr_feature), 0.0);
  for (int j = 0; j < weights_.nr_feature; ++j) {
    double sum = 0;
    for (int c = 0; c < columns; ++c) sum += std::abs(weights_.w[j * columns + c]);
    importance[j] = sum / columns;
  }
  return importance;
}

}  // namespace aimass::train
