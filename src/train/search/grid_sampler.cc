#include "train/search/grid_sampler.h"

#include <limits>
#include <numeric>

namespace aimass::train {
namespace {

// Past this many points, the grid is visited in random order with replacement instead of
// through a stored permutation.
constexpr uint64_t kMaxStoredOrder = 1 << 20;

}  // namespace

GridSampler::GridSampler(ParamSpace space, uint64_t seed) : space_(std::move(space)), random_(seed) {
  for (const auto& spec : space_) {
    if (spec.grid.empty()) continue;
    if (size_ > std::numeric_limits<uint64_t>::max() / spec.grid.size()) {
      size_ = std::numeric_limits<uint64_t>::max();
      break;
    }
    size_ *= spec.grid.size();
  }
  if (size_ <= kMaxStoredOrder) {
    order_.resize(size_);
    std::iota(order_.begin(), order_.end(), uint64_t{0});
    for (uint64_t i = size_; i > 1; --i) {  // Fisher-Yates with our own uniform draws
      const auto j = static_cast<uint64_t>(Uniform(random_) * static_cast<double>(i));
      std::swap(order_[i - 1], order_[j]);
    }
  }
}

nlohmann::json GridSampler::PointAt(uint64_t index) const {
  nlohmann::json params = DefaultParams(space_);
  for (const auto& spec : space_) {
    if (spec.grid.empty()) continue;
    params[spec.name] = spec.grid[index % spec.grid.size()];
    index /= spec.grid.size();
  }
  return params;
}

std::optional<nlohmann::json> GridSampler::Next() {
  if (!proposed_defaults_) {
    proposed_defaults_ = true;
    return DefaultParams(space_);
  }
  if (order_.empty()) {  // a huge grid: random points of it
    return PointAt(static_cast<uint64_t>(Uniform(random_) * static_cast<double>(size_)));
  }
  while (next_ < order_.size()) {
    nlohmann::json point = PointAt(order_[next_++]);
    if (point != DefaultParams(space_)) return point;  // already tried first
  }
  return std::nullopt;
}

}  // namespace aimass::train
