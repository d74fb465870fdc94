// Search strategies: each proposes hyperparameters for one learner at a time, and hears back
// each trial's loss so that a model-based strategy (TPE) can learn from it. Successive
// halving is not a sampler but a schedule over random proposals (halving.h).
// Not thread-safe: the AutoML run calls a sampler under its own lock.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string_view>

#include "common/status.h"
#include "train/learner.h"

namespace aimass::train {

enum class SearchKind { kRandom, kGrid, kBayes, kHalving };

std::string_view SearchKindName(SearchKind kind);  // "random", "grid", "bayes", "halving"
Result<SearchKind> ParseSearchKind(std::string_view name);

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The next parameters to try, or nullopt when the strategy has nothing left (a finished
  // grid). The first proposal of every strategy is the learner's defaults.
  virtual std::optional<nlohmann::json> Next() = 0;
  // `loss`: the trial's score, lower = better (the caller negates higher-is-better metrics).
  virtual void Report(const nlohmann::json& params, double loss) {
    (void)params;
    (void)loss;
  }
};

// kHalving draws random proposals (the schedule is the AutoML run's).
std::unique_ptr<Sampler> MakeSampler(SearchKind kind, ParamSpace space, uint64_t seed);

// The learner's defaults, as a params object.
nlohmann::json DefaultParams(const ParamSpace& space);
// One value of `spec` drawn from its prior (uniform, log-uniform, or a uniform choice).
nlohmann::json SampleValue(const ParamSpec& spec, std::mt19937_64& random);
// A uniform double in [0, 1) that does not depend on the standard library's distributions
// (which differ between implementations), so a seed gives the same search everywhere.
double Uniform(std::mt19937_64& random);

}  // namespace aimass::train
