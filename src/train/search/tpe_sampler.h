// Bayesian search with a Tree-structured Parzen Estimator, as in Bergstra et al. (2011) and
// Optuna's TPESampler: after `startup` proposals (the defaults, then random), the trials so
// far are split into the best quarter ("good") and the rest; each parameter gets a Parzen
// density over the good values, l(x), and one over the rest, g(x) (both mixed with the
// prior); the proposal is, per parameter, the best l(x)/g(x) among `candidates` draws from
// l(x). Parameters are modelled independently. Not thread-safe (see sampler.h).
#pragma once

#include <vector>

#include "train/search/random_sampler.h"

namespace aimass::train {

class TpeSampler : public Sampler {
 public:
  TpeSampler(ParamSpace space, uint64_t seed, int startup = 10, int candidates = 24);
  std::optional<nlohmann::json> Next() override;
  void Report(const nlohmann::json& params, double loss) override;

 private:
  struct Observation {
    nlohmann::json params;
    double loss;
  };
  nlohmann::json Propose(const ParamSpec& spec, const std::vector<const Observation*>& good,
                         const std::vector<const Observation*>& bad);
  nlohmann::json ProposeNumber(const ParamSpec& spec, const std::vector<double>& good,
                               const std::vector<double>& bad);
  nlohmann::json ProposeChoice(const ParamSpec& spec, const std::vector<const Observation*>& good,
                               const std::vector<const Observation*>& bad);

  ParamSpace space_;
  std::mt19937_64 random_;
  RandomSampler startup_sampler_;
  int startup_;
  int candidates_;
  int proposed_ = 0;
  std::vector<Observation> observations_;
};

}  // namespace aimass::train
