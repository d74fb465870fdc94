#include "train/search/random_sampler.h"

namespace aimass::train {

std::optional<nlohmann::json> RandomSampler::Next() {
  if (!proposed_defaults_) {
    proposed_defaults_ = true;
    return DefaultParams(space_);
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& spec : space_) params[spec.name] = SampleValue(spec, random_);
  return params;
}

}  // namespace aimass::train
