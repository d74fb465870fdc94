#include "pipelines/step_type.h"

namespace aimass::pipelines {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kNumber:
      return "number";
    case ValueType::kBool:
      return "bool";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kDataset:
      return "dataset";
    case ValueType::kModel:
      return "model";
    case ValueType::kMetrics:
      return "metrics";
    case ValueType::kStringList:
      return "string list";
    case ValueType::kObject:
      return "object";
  }
  return "string";
}

void StepTypeRegistry::Add(std::unique_ptr<StepType> type) {
  const std::string name = type->name();
  types_[name] = std::move(type);
}

StepType* StepTypeRegistry::Find(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second.get();
}

std::vector<std::string> StepTypeRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, type] : types_) names.push_back(name);
  return names;
}

}  // namespace aimass::pipelines
