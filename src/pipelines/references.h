// References inside a step's parameters: `${{ steps.train.outputs.model }}` (an output of a
// step the step needs), `${{ trigger.dataset }}` (the dataset version that started the run),
// `${{ run.id }}` and `${{ pipeline.name }}`. A string that is exactly one reference takes
// the referenced value with its type; references inside longer text are replaced by text.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::pipelines {

struct Reference {
  enum class Kind { kStepOutput, kTriggerDataset, kRunId, kPipelineName };
  Kind kind = Kind::kStepOutput;
  std::string step;    // kStepOutput
  std::string output;  // kStepOutput
  size_t begin = 0;    // where "${{" starts in the text
  size_t end = 0;      // one past "}}"
  std::string text;    // "${{ steps.train.outputs.model }}"
};

// The references in `text`, in order. kInvalidArgument for "${{" without "}}" or a form not
// listed above, naming it and the forms that exist.
Result<std::vector<Reference>> FindReferences(std::string_view text);

// Every string in `value` (recursively) with its references resolved by `lookup`.
using ReferenceLookup = std::function<Result<nlohmann::json>(const Reference&)>;
Result<nlohmann::json> ResolveReferences(const nlohmann::json& value,
                                         const ReferenceLookup& lookup);

// Whether any string in `value` holds a reference.
bool HasReferences(const nlohmann::json& value);

}  // namespace aimass::pipelines
