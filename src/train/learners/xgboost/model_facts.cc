#include "train/learners/xgboost/model_facts.h"

#include <cstdlib>

#include "train/learners/xgboost/booster.h"

namespace aimass::train::xgb {
namespace {

std::string LearnerParam(const nlohmann::json& config, const char* group, const char* key) {
  const auto learner = config.find("learner");
  if (learner == config.end() || !learner->contains(group)) return "";
  const nlohmann::json& params = (*learner)[group];
  return params.contains(key) && params[key].is_string() ? params[key].get<std::string>() : "";
}

}  // namespace

Result<ModelFacts> ReadModelFacts(std::string_view bytes) {
  if (bytes.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the XGBoost model file is empty; give the .json or .ubj file that "
                "Booster.save_model wrote");
  }
  auto booster = Booster::Load(bytes);
  if (!booster) {
    return Fail(ErrorCode::kInvalidArgument,
                "not an XGBoost model (the JSON or UBJSON that Booster.save_model writes): " +
                    booster.error().message);
  }
  AIMASS_ASSIGN_OR_RETURN(const nlohmann::json config, booster->Config());
  ModelFacts facts;
  const std::string kind = LearnerParam(config, "learner_train_param", "booster");
  if (kind != "gbtree" && kind != "dart") {
    return Fail(ErrorCode::kInvalidArgument, "the XGBoost model uses booster '" + kind +
                                                 "'; only tree models (gbtree, dart) can be "
                                                 "imported");
  }
  facts.objective = LearnerParam(config, "learner_train_param", "objective");
  if (facts.objective == "binary:logistic") {
    facts.task = Task::kBinary;
    facts.num_classes = 2;
  } else if (facts.objective == "multi:softprob" || facts.objective == "multi:softmax") {
    facts.task = Task::kMulticlass;
    facts.num_classes = std::atoi(LearnerParam(config, "learner_model_param", "num_class").c_str());
    if (facts.num_classes < 2) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the XGBoost model's num_class is not a number of classes >= 2");
    }
  } else if (facts.objective.starts_with("reg:") || facts.objective == "count:poisson") {
    facts.task = Task::kRegression;
  } else {
    return Fail(ErrorCode::kInvalidArgument,
                "the XGBoost model's objective '" + facts.objective +
                    "' cannot be imported; use binary:logistic, multi:softprob, multi:softmax, "
                    "a reg:* objective or count:poisson");
  }
  AIMASS_ASSIGN_OR_RETURN(facts.num_features, booster->NumFeatures());
  AIMASS_ASSIGN_OR_RETURN(facts.feature_names, booster->FeatureNames());
  AIMASS_ASSIGN_OR_RETURN(facts.rounds, booster->BoostedRounds());
  return facts;
}

}  // namespace aimass::train::xgb
