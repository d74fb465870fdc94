#include "train/search/sampler.h"

#include <cmath>
#include <string>

#include "train/search/grid_sampler.h"
#include "train/search/random_sampler.h"
#include "train/search/tpe_sampler.h"

namespace aimass::train {

std::string_view SearchKindName(SearchKind kind) {
  switch (kind) {
    case SearchKind::kRandom: return "random";
    case SearchKind::kGrid: return "grid";
    case SearchKind::kBayes: return "bayes";
    case SearchKind::kHalving: return "halving";
  }
  return "random";
}

Result<SearchKind> ParseSearchKind(std::string_view name) {
  if (name == "random") return SearchKind::kRandom;
  if (name == "grid") return SearchKind::kGrid;
  if (name == "bayes" || name == "tpe") return SearchKind::kBayes;
  if (name == "halving") return SearchKind::kHalving;
  return Fail(ErrorCode::kInvalidArgument, "unknown search '" + std::string(name) +
                                               "'; use random, grid, bayes or halving");
}

std::unique_ptr<Sampler> MakeSampler(SearchKind kind, ParamSpace space, uint64_t seed) {
  switch (kind) {
    case SearchKind::kGrid: return std::make_unique<GridSampler>(std::move(space), seed);
    case SearchKind::kBayes: return std::make_unique<TpeSampler>(std::move(space), seed);
    case SearchKind::kRandom:
    case SearchKind::kHalving: break;
  }
  return std::make_unique<RandomSampler>(std::move(space), seed);
}

nlohmann::json DefaultParams(const ParamSpace& space) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& spec : space) {
    if (!spec.default_value.is_null()) params[spec.name] = spec.default_value;
  }
  return params;
}

double Uniform(std::mt19937_64& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

nlohmann::json SampleValue(const ParamSpec& spec, std::mt19937_64& random) {
  const double u = Uniform(random);
  switch (spec.type) {
    case ParamSpec::Type::kInt: {
      const auto low = static_cast<int64_t>(std::llround(spec.low));
      const auto high = static_cast<int64_t>(std::llround(spec.high));
      return low + static_cast<int64_t>(u * static_cast<double>(high - low + 1));
    }
    case ParamSpec::Type::kFloat:
      return spec.low + u * (spec.high - spec.low);
    case ParamSpec::Type::kLogFloat:
      return std::exp(std::log(spec.low) + u * (std::log(spec.high) - std::log(spec.low)));
    case ParamSpec::Type::kChoice:
      if (spec.choices.empty()) return spec.default_value;
      return spec.choices[static_cast<size_t>(u * static_cast<double>(spec.choices.size()))];
  }
  return spec.default_value;
}

}  // namespace aimass::train
