#include "train/search/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace aimass::train {
namespace {

// Internal coordinates: log for log-scaled parameters, integers widened by half a step.
bool IsLog(const ParamSpec& spec) { return spec.type == ParamSpec::Type::kLogFloat; }
double Low(const ParamSpec& spec) {
  if (IsLog(spec)) return std::log(spec.low);
  return spec.type == ParamSpec::Type::kInt ? spec.low - 0.5 : spec.low;
}
double High(const ParamSpec& spec) {
  if (IsLog(spec)) return std::log(spec.high);
  return spec.type == ParamSpec::Type::kInt ? spec.high + 0.5 : spec.high;
}

// A Parzen estimator: one Gaussian per observed point plus the uniform prior, all weighted
// alike. The bandwidth shrinks as points accumulate, never below 2% of the range.
class Parzen {
 public:
  Parzen(std::vector<double> points, double low, double high)
      : points_(std::move(points)), low_(low), high_(high) {
    const double range = high - low;
    sigma_ = std::max(0.02 * range, range / std::sqrt(1.0 + static_cast<double>(points_.size())));
  }

  double Density(double x) const {
    const double range = high_ - low_;
    double sum = 1.0 / range;  // the prior
    for (double mu : points_) {
      const double z = (x - mu) / sigma_;
      sum += std::exp(-0.5 * z * z) / (sigma_ * std::sqrt(2 * std::numbers::pi));
    }
    return sum / static_cast<double>(points_.size() + 1);
  }

  double Sample(std::mt19937_64& random) const {
    const auto pick = static_cast<size_t>(Uniform(random) * static_cast<double>(points_.size() + 1));
    if (pick == points_.size()) return low_ + Uniform(random) * (high_ - low_);
    // Box-Muller with our own uniforms, so the draws are the same on every platform.
    const double u1 = std::max(Uniform(random), 1e-300), u2 = Uniform(random);
    const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    return std::clamp(points_[pick] + sigma_ * normal, low_, high_);
  }

 private:
  std::vector<double> points_;
  double low_, high_, sigma_;
};

}  // namespace

TpeSampler::TpeSampler(ParamSpace space, uint64_t seed, int startup, int candidates)
    : space_(std::move(space)),
      random_(seed ^ 0x9e3779b97f4a7c15ULL),
      startup_sampler_(space_, seed),
      startup_(startup),
      candidates_(candidates) {}

void TpeSampler::Report(const nlohmann::json& params, double loss) {
  if (std::isfinite(loss)) observations_.push_back({params, loss});
}

std::optional<nlohmann::json> TpeSampler::Next() {
  ++proposed_;
  if (proposed_ <= startup_ || observations_.size() < 2) return startup_sampler_.Next();
  std::vector<const Observation*> sorted;
  for (const auto& observation : observations_) sorted.push_back(&observation);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->loss < b->loss; });
  const size_t n_good = std::clamp<size_t>(
      static_cast<size_t>(std::ceil(0.25 * static_cast<double>(sorted.size()))), 1, 25);
  const std::vector<const Observation*> good(sorted.begin(), sorted.begin() + n_good);
  const std::vector<const Observation*> bad(sorted.begin() + n_good, sorted.end());
  nlohmann::json params = nlohmann::json::object();
  for (const auto& spec : space_) params[spec.name] = Propose(spec, good, bad);
  return params;
}

nlohmann::json TpeSampler::Propose(const ParamSpec& spec,
                                   const std::vector<const Observation*>& good,
                                   const std::vector<const Observation*>& bad) {
  if (spec.type == ParamSpec::Type::kChoice) return ProposeChoice(spec, good, bad);
  const auto values = [&](const std::vector<const Observation*>& set) {
    std::vector<double> out;
    for (const auto* observation : set) {
      const auto it = observation->params.find(spec.name);
      if (it == observation->params.end() || !it->is_number()) continue;
      const double x = it->get<double>();
      out.push_back(IsLog(spec) ? std::log(std::max(x, spec.low)) : x);
    }
    return out;
  };
  return ProposeNumber(spec, values(good), values(bad));
}

nlohmann::json TpeSampler::ProposeNumber(const ParamSpec& spec, const std::vector<double>& good,
                                         const std::vector<double>& bad) {
  const Parzen l(good, Low(spec), High(spec)), g(bad, Low(spec), High(spec));
  double best = l.Sample(random_), best_ratio = -INFINITY;
  for (int i = 0; i < candidates_; ++i) {
    const double x = l.Sample(random_);
    const double ratio = std::log(l.Density(x)) - std::log(g.Density(x));
    if (ratio > best_ratio) {
      best_ratio = ratio;
      best = x;
    }
  }
  if (spec.type == ParamSpec::Type::kInt) {
    return std::clamp<int64_t>(std::llround(best), std::llround(spec.low), std::llround(spec.high));
  }
  return IsLog(spec) ? std::clamp(std::exp(best), spec.low, spec.high) : best;
}

nlohmann::json TpeSampler::ProposeChoice(const ParamSpec& spec,
                                         const std::vector<const Observation*>& good,
                                         const std::vector<const Observation*>& bad) {
  if (spec.choices.empty()) return spec.default_value;
  const auto weights = [&](const std::vector<const Observation*>& set) {
    std::vector<double> w(spec.choices.size(), 1.0);  // the prior: one pseudo-count each
    for (const auto* observation : set) {
      const auto it = observation->params.find(spec.name);
      if (it == observation->params.end()) continue;
      for (size_t c = 0; c < spec.choices.size(); ++c) w[c] += *it == spec.choices[c];
    }
    return w;
  };
  const auto l = weights(good), g = weights(bad);
  double l_total = 0, g_total = 0;
  for (size_t c = 0; c < l.size(); ++c) l_total += l[c], g_total += g[c];
  size_t best = 0;
  double best_ratio = -INFINITY;
  for (int i = 0; i < candidates_; ++i) {
    double u = Uniform(random_) * l_total;
    size_t c = 0;
    while (c + 1 < l.size() && u >= l[c]) u -= l[c++];
    const double ratio = std::log(l[c] / l_total) - std::log(g[c] / g_total);
    if (ratio > best_ratio) {
      best_ratio = ratio;
      best = c;
    }
  }
  return spec.choices[best];
}

}  // namespace aimass::train
