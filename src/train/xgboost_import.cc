#include "train/xgboost_import.h"

#include "train/learners/xgboost/model_facts.h"

namespace aimass::train {
namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

Result<std::vector<std::string>> FeaturesFor(const xgb::ModelFacts& facts,
                                             const XgboostImportSpec& spec) {
  const std::string count = std::to_string(facts.num_features);
  if (spec.features.empty()) {
    if (facts.feature_names.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the model was saved without feature names; name its " + count +
                      " features in order with --features f1,f2,...");
    }
    return facts.feature_names;
  }
  if (static_cast<int64_t>(spec.features.size()) != facts.num_features) {
    return Fail(ErrorCode::kInvalidArgument,
                std::to_string(spec.features.size()) + " features were named but the model has " +
                    count + "; name every feature, in the order the model was trained with");
  }
  if (!facts.feature_names.empty() && facts.feature_names != spec.features) {
    return Fail(ErrorCode::kInvalidArgument,
                "the model was saved with the features " + Joined(facts.feature_names) + ", not " +
                    Joined(spec.features) + "; leave --features out to use the model's own names");
  }
  return spec.features;
}

Result<std::vector<std::string>> ClassesFor(const xgb::ModelFacts& facts, Task task,
                                            const XgboostImportSpec& spec) {
  if (task == Task::kRegression) {
    if (!spec.classes.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a regression model has no classes; leave --classes out");
    }
    return std::vector<std::string>();
  }
  if (spec.classes.empty()) {
    std::vector<std::string> classes;
    for (int c = 0; c < facts.num_classes; ++c) classes.push_back(std::to_string(c));
    return classes;
  }
  if (static_cast<int>(spec.classes.size()) != facts.num_classes) {
    return Fail(ErrorCode::kInvalidArgument, std::to_string(spec.classes.size()) +
                                                 " classes were named but the model " +
                                                 "predicts " + std::to_string(facts.num_classes) +
                                                 "; name one class per label, label 0 first");
  }
  for (size_t i = 0; i < spec.classes.size(); ++i) {
    if (spec.classes[i].empty()) {
      return Fail(ErrorCode::kInvalidArgument, "class name " + std::to_string(i) + " is empty");
    }
    for (size_t j = 0; j < i; ++j) {
      if (spec.classes[i] == spec.classes[j]) {
        return Fail(ErrorCode::kInvalidArgument,
                    "class '" + spec.classes[i] + "' is named twice; class names must be unique");
      }
    }
  }
  return spec.classes;
}

}  // namespace

Result<ImportedXgboost> PipelineFromXgboost(std::string_view bytes, const XgboostImportSpec& spec) {
  AIMASS_ASSIGN_OR_RETURN(const xgb::ModelFacts facts, xgb::ReadModelFacts(bytes));
  if (!spec.task.empty()) {
    AIMASS_ASSIGN_OR_RETURN(const Task wanted, ParseTask(spec.task));
    if (wanted != facts.task) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the model's objective " + facts.objective + " answers a " +
                      std::string(TaskName(facts.task)) + " task, not " + spec.task +
                      "; leave --task out or import a model trained for " + spec.task);
    }
  }
  AIMASS_ASSIGN_OR_RETURN(std::vector<std::string> features, FeaturesFor(facts, spec));
  AIMASS_ASSIGN_OR_RETURN(std::vector<std::string> classes, ClassesFor(facts, facts.task, spec));
  AIMASS_ASSIGN_OR_RETURN(Preprocessor preprocessor, Preprocessor::Numbers(features));
  AIMASS_ASSIGN_OR_RETURN(const Learner* learner, LearnerRegistry::Builtin().Get("xgboost"));
  AIMASS_ASSIGN_OR_RETURN(std::unique_ptr<TrainedModel> model,
                          learner->Load(bytes, facts.task, facts.num_classes));

  Pipeline::Parts parts;
  parts.task = facts.task;
  parts.classes = std::move(classes);
  parts.preprocessors["trees"] = std::make_shared<const Preprocessor>(std::move(preprocessor));
  parts.members.push_back({"xgboost", nlohmann::json::object(), "trees", std::move(model)});
  parts.extra = {{"imported", "xgboost"}, {"objective", facts.objective}};
  return ImportedXgboost{std::make_shared<const Pipeline>(std::move(parts)), facts.objective,
                         facts.rounds};
}

}  // namespace aimass::train
