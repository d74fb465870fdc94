// The steps whose job commits a dataset version (import, transform, batch-predict): the same
// outputs, read from the job's result (data/version_json.h's summary).
#pragma once

#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"

namespace aimass::pipelines {

class DatasetJobStep : public StepType {
 public:
  explicit DatasetJobStep(const StepServices& services) : services_(services) {}

  std::vector<OutputSpec> outputs() const override {
    return {{"dataset", ValueType::kDataset, "the new version, name@N"},
            {"rows", ValueType::kNumber, "its row count"}};
  }
  Result<nlohmann::json> Outputs(const StepInput& input, const nlohmann::json& result) override {
    return DatasetOutputs(input, result);
  }

 protected:
  StepServices services_;
};

}  // namespace aimass::pipelines
