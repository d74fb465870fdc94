// Random search: the defaults first, then every parameter drawn independently from its
// prior. Not thread-safe (see sampler.h).
#pragma once

#include "train/search/sampler.h"

namespace aimass::train {

class RandomSampler : public Sampler {
 public:
  RandomSampler(ParamSpace space, uint64_t seed) : space_(std::move(space)), random_(seed) {}
  std::optional<nlohmann::json> Next() override;

 private:
  ParamSpace space_;
  std::mt19937_64 random_;
  bool proposed_defaults_ = false;
};

}  // namespace aimass::train
