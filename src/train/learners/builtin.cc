// The built-in learners. Adding one is a folder under learners/ and one line here.
#include "train/learner.h"
#include "train/learners/linear/linear_learner.h"
#include "train/learners/random_forest/random_forest_learner.h"
#include "train/learners/xgboost/xgboost_learner.h"

namespace aimass::train {

const LearnerRegistry& LearnerRegistry::Builtin() {
  // Built on first use (thread-safe static initialisation); immutable afterwards.
  static const LearnerRegistry registry = [] {
    LearnerRegistry built;
    built.Add(std::make_unique<XgboostLearner>());
    built.Add(std::make_unique<RandomForestLearner>());
    built.Add(std::make_unique<LinearLearner>());
    return built;
  }();
  return registry;
}

}  // namespace aimass::train
