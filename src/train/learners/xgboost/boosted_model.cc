#include "train/learners/xgboost/boosted_model.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

#include "train/learners/input_check.h"

namespace aimass::train::xgb {
namespace {

// A value of XGBoost's configuration JSON (which holds every parameter as a string), or "".
std::string ConfigString(const nlohmann::json& config, std::initializer_list<const char*> path) {
  const nlohmann::json* node = &config;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return "";
    node = &(*node)[key];
  }
  return node->is_string() ? node->get<std::string>() : "";
}

// The column a feature name stands for: its position among the model's names, or N of "fN".
std::optional<int64_t> FeatureColumn(const std::string& name,
                                     const std::map<std::string, int64_t>& named) {
  if (!named.empty()) {
    auto it = named.find(name);
    if (it == named.end()) return std::nullopt;
    return it->second;
  }
  int64_t column = 0;
  if (name.size() < 2 || name[0] != 'f') return std::nullopt;
  auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), column);
  if (error != std::errc() || end != name.data() + name.size()) return std::nullopt;
  return column;
}

}  // namespace

Result<std::unique_ptr<BoostedModel>> BoostedModel::Create(Booster booster, Task task,
                                                           int num_classes, int threads) {
  std::unique_ptr<BoostedModel> model(
      new BoostedModel(std::move(booster), task, num_classes, threads));
  AIMASS_RETURN_IF_ERROR(model->CheckObjective());
  AIMASS_ASSIGN_OR_RETURN(model->num_features_, model->booster_.NumFeatures());
  AIMASS_RETURN_IF_ERROR(model->ComputeImportance());
  AIMASS_RETURN_IF_ERROR(model->ReadInfo());
  return model;
}

Result<std::unique_ptr<BoostedModel>> BoostedModel::Load(std::string_view bytes, Task task,
                                                         int num_classes) {
  if (bytes.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the XGBoost model is empty; give a .ubj or .json "
                "file written by XGBoost");
  }
  auto booster = Booster::Load(bytes);
  if (!booster) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "not an XGBoost model (UBJSON or JSON from XGBoost 1.x): " + booster.error().message);
  }
  return Create(std::move(*booster), task, num_classes, /*threads=*/0);
}

Status BoostedModel::CheckObjective() {
  AIMASS_ASSIGN_OR_RETURN(const nlohmann::json config, booster_.Config());
  const std::string booster = ConfigString(config, {"learner", "learner_train_param", "booster"});
  if (booster != "gbtree" && booster != "dart") {
    return Fail(ErrorCode::kInvalidArgument,
                "the XGBoost model uses booster '" + booster +
                    "'; only tree models (gbtree, dart) can be used here");
  }
  const std::string objective =
      ConfigString(config, {"learner", "learner_train_param", "objective"});
  const std::string num_class =
      ConfigString(config, {"learner", "learner_model_param", "num_class"});
  const std::string wanted = std::string(TaskName(task_)) + " task";
  switch (task_) {
    case Task::kBinary:
      if (objective != "binary:logistic") {
        return Fail(ErrorCode::kInvalidArgument, "the XGBoost model's objective is '" + objective +
                                                     "'; a " + wanted + " needs binary:logistic");
      }
      return Ok();
    case Task::kMulticlass:
      if (objective != "multi:softprob" && objective != "multi:softmax") {
        return Fail(ErrorCode::kInvalidArgument, "the XGBoost model's objective is '" + objective +
                                                     "'; a " + wanted +
                                                     " needs multi:softprob (or multi:softmax)");
      }
      if (num_class != std::to_string(num_classes_)) {
        return Fail(ErrorCode::kInvalidArgument, "the XGBoost model predicts " + num_class +
                                                     " classes, the task has " +
                                                     std::to_string(num_classes_));
      }
      // softmax and softprob grow the same trees; softprob only makes prediction return
      // every class's probability instead of the winning class.
      if (objective == "multi:softmax") {
        AIMASS_RETURN_IF_ERROR(booster_.SetParam("objective", "multi:softprob"));
        // Reading the configuration applies the change now, not lazily in a later Predict
        // that may run on several threads.
        AIMASS_RETURN_IF_ERROR(booster_.Config());
      }
      return Ok();
    case Task::kRegression:
      if (!objective.starts_with("reg:") && objective != "count:poisson") {
        return Fail(ErrorCode::kInvalidArgument, "the XGBoost model's objective is '" + objective +
                                                     "'; a " + wanted +
                                                     " needs a reg:* objective or count:poisson");
      }
      return Ok();
  }
  return Ok();
}

Status BoostedModel::ComputeImportance() {
  AIMASS_ASSIGN_OR_RETURN(const auto names, booster_.FeatureNames());
  std::map<std::string, int64_t> named;
  for (size_t i = 0; i < names.size(); ++i) named[names[i]] = static_cast<int64_t>(i);
  AIMASS_ASSIGN_OR_RETURN(const auto scores, booster_.FeatureScore("total_gain"));
  importance_.assign(static_cast<size_t>(num_features_), 0.0);
  for (const auto& [name, score] : scores) {
    auto column = FeatureColumn(name, named);
    if (column && *column >= 0 && *column < num_features_) importance_[*column] = score;
  }
  return Ok();
}

Status BoostedModel::ReadInfo() {
  AIMASS_ASSIGN_OR_RETURN(const auto stored, booster_.GetAttr("aimass_info"));
  if (stored) {
    info_ = nlohmann::json::parse(*stored, nullptr, /*allow_exceptions=*/false);
    if (info_.is_object()) return Ok();
  }
  // A model from elsewhere: what XGBoost itself records.
  AIMASS_ASSIGN_OR_RETURN(const int rounds, booster_.BoostedRounds());
  info_ = {{"rounds", rounds}};
  AIMASS_ASSIGN_OR_RETURN(const auto best, booster_.GetAttr("best_iteration"));
  if (best) info_["best_iteration"] = std::atoi(best->c_str());
  return Ok();
}

int BoostedModel::OutputWidth() const {
  return train::OutputWidthOf(task_, num_classes_);
}

Result<std::vector<double>> BoostedModel::Predict(const Matrix& features) const {
  AIMASS_RETURN_IF_ERROR(CheckMatrix("xgboost", features, num_features_));
  if (features.rows == 0) return std::vector<double>();
  AIMASS_ASSIGN_OR_RETURN(const Prediction prediction, booster_.PredictDense(features, 0));
  const size_t rows = static_cast<size_t>(features.rows);
  const size_t width = static_cast<size_t>(task_ == Task::kMulticlass ? num_classes_ : 1);
  if (prediction.values.size() != rows * width) {
    return Fail(ErrorCode::kInternal, "XGBoost returned " +
                                          std::to_string(prediction.values.size()) +
                                          " predictions for " + std::to_string(rows) + " rows");
  }
  std::vector<double> out;
  if (task_ == Task::kBinary) {
    out.resize(rows * 2);
    for (size_t i = 0; i < rows; ++i) {
      const double p = prediction.values[i];
      out[2 * i] = 1.0 - p;
      out[2 * i + 1] = p;
    }
  } else {
    out.assign(prediction.values.begin(), prediction.values.end());
  }
  if (task_ == Task::kMulticlass) {
    // XGBoost's softmax sums to 1 in float; renormalising in double makes it exact.
    for (size_t i = 0; i < rows; ++i) {
      double sum = 0;
      for (size_t c = 0; c < width; ++c) sum += out[i * width + c];
      if (sum > 0) {
        for (size_t c = 0; c < width; ++c) out[i * width + c] /= sum;
      }
    }
  }
  return out;
}

Result<std::vector<double>> BoostedModel::Contributions(const Matrix& features) const {
  AIMASS_RETURN_IF_ERROR(CheckMatrix("xgboost", features, num_features_));
  if (features.rows == 0) return std::vector<double>();
  AIMASS_ASSIGN_OR_RETURN(DMatrix data, DMatrix::FromMatrix(features, threads_));
  AIMASS_ASSIGN_OR_RETURN(const Prediction prediction, booster_.PredictDMatrix(data, 2));
  const size_t groups = static_cast<size_t>(task_ == Task::kMulticlass ? num_classes_ : 1);
  const size_t expected =
      static_cast<size_t>(features.rows) * groups * static_cast<size_t>(features.cols + 1);
  if (prediction.values.size() != expected) {
    return Fail(ErrorCode::kInternal,
                "XGBoost returned " + std::to_string(prediction.values.size()) +
                    " contributions where " + std::to_string(expected) + " were expected");
  }
  return std::vector<double>(prediction.values.begin(), prediction.values.end());
}

}  // namespace aimass::train::xgb
