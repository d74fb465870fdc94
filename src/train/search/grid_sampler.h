// Grid search over each parameter's `grid` values: the defaults first, then every point of
// the grid once, in an order shuffled by the seed (a budget that ends the search early then
// still samples the whole grid's spread, not only variations of the last parameter).
// Not thread-safe (see sampler.h).
#pragma once

#include <vector>

#include "train/search/sampler.h"

namespace aimass::train {

class GridSampler : public Sampler {
 public:
  GridSampler(ParamSpace space, uint64_t seed);
  std::optional<nlohmann::json> Next() override;
  // The number of points in the grid (parameters without a grid keep their default).
  uint64_t size() const { return size_; }

 private:
  nlohmann::json PointAt(uint64_t index) const;

  ParamSpace space_;
  uint64_t size_ = 1;
  std::vector<uint64_t> order_;  // a shuffled permutation of [0, size_) when small enough
  std::mt19937_64 random_;
  uint64_t next_ = 0;
  bool proposed_defaults_ = false;
};

}  // namespace aimass::train
