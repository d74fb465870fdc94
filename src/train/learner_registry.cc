#include "train/learner.h"

namespace aimass::train {

void LearnerRegistry::Add(std::unique_ptr<Learner> learner) {
  std::string name(learner->name());
  learners_[name] = std::move(learner);
}

const Learner* LearnerRegistry::Find(std::string_view name) const {
  auto it = learners_.find(name);
  return it == learners_.end() ? nullptr : it->second.get();
}

Result<const Learner*> LearnerRegistry::Get(std::string_view name) const {
  if (const Learner* learner = Find(name)) return learner;
  std::string known;
  for (const auto& [each, learner] : learners_) known += (known.empty() ? "" : ", ") + each;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown learner '" + std::string(name) + "'; use one of: " + known);
}

std::vector<std::string> LearnerRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, learner] : learners_) names.push_back(name);
  return names;
}

}  // namespace aimass::train
