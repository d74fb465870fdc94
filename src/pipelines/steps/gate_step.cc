// `gate`: a condition on metrics, such as "the new model beats the champion by at least 0.5
// AUC points on the same holdout". A gate that does not pass is not a failure: the step
// succeeds with `passed: false`, and the runner skips the steps that need it.
#include <cmath>
#include <cstdio>

#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"
#include "train/metrics.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

// Differences this small are rounding, not a gain or a loss.
constexpr double kTolerance = 1e-12;

// Whether a larger value of `metric` is better, as training ranks it ("cv_" scores as the
// metric they cross-validate); nullopt for a metric training does not know.
std::optional<bool> KnownDirection(std::string_view metric) {
  if (metric.starts_with("cv_")) metric.remove_prefix(3);
  for (auto task : {train::Task::kBinary, train::Task::kMulticlass, train::Task::kRegression}) {
    if (auto parsed = train::ParseMetric(metric, task)) return train::HigherIsBetter(*parsed);
  }
  return std::nullopt;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

Result<bool> HigherIsBetter(const json& with, const std::string& metric) {
  if (with.contains("higher_is_better") && !with["higher_is_better"].is_null()) {
    return BoolOr(with, "higher_is_better", true);
  }
  if (auto known = KnownDirection(metric)) return *known;
  return Fail(ErrorCode::kInvalidArgument,
              "parameter 'metric': '" + metric +
                  "' is no metric training knows, so the gate cannot tell whether more is "
                  "better; set higher_is_better: true or false");
}

class GateStep final : public StepType {
 public:
  std::string name() const override { return "gate"; }
  std::string help() const override {
    return "passes when the candidate's metric beats the baseline's by at least min_gain";
  }
  std::vector<ParamSpec> params() const override {
    return {{"metric", ValueType::kString, true, "the metric compared, e.g. roc_auc"},
            {"candidate", ValueType::kMetrics, true, "the new model's metrics"},
            {"baseline", ValueType::kMetrics, false, "the metrics to beat (none: passes)"},
            {"min_gain", ValueType::kNumber, false, "the least gain that passes (default 0)"},
            {"relative", ValueType::kBool, false, "min_gain is a share of the baseline's value"},
            {"higher_is_better", ValueType::kBool, false, "default: as training ranks the metric"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"passed", ValueType::kBool, "whether the candidate passed"},
            {"candidate_value", ValueType::kNumber, "the candidate's value of the metric"},
            {"baseline_value", ValueType::kNumber, "the baseline's (null without one)"},
            {"reason", ValueType::kString, "why it passed or not, in one line"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_ASSIGN_OR_RETURN(auto metric, OptionalString(with, "metric"));
    if (metric && !IsReference(*metric)) {
      AIMASS_RETURN_IF_ERROR(HigherIsBetter(with, *metric));
    }
    AIMASS_ASSIGN_OR_RETURN(auto min_gain, OptionalNumber(with, "min_gain"));
    if (min_gain && !(*min_gain >= 0)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameter 'min_gain' must be 0 or more (a gain, e.g. 0.005 for half an AUC "
                  "point), not " +
                      Number(*min_gain));
    }
    AIMASS_RETURN_IF_ERROR(BoolOr(with, "relative", false));
    for (const char* metrics : {"candidate", "baseline"}) {
      AIMASS_RETURN_IF_ERROR(ObjectOr(with, metrics));
    }
    return Ok();
  }

  // A pure function of its parameters.
  bool cacheable() const override { return true; }

  Result<json> Run(const StepInput& input, jobs::JobContext& context) override {
    (void)context;
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string metric, RequiredString(input.with, "metric"));
    AIMASS_ASSIGN_OR_RETURN(bool higher, HigherIsBetter(input.with, metric));
    AIMASS_ASSIGN_OR_RETURN(auto given_gain, OptionalNumber(input.with, "min_gain"));
    const double min_gain = given_gain.value_or(0);
    AIMASS_ASSIGN_OR_RETURN(bool relative, BoolOr(input.with, "relative", false));
    AIMASS_ASSIGN_OR_RETURN(json candidate, ObjectOr(input.with, "candidate"));
    AIMASS_ASSIGN_OR_RETURN(json baseline, ObjectOr(input.with, "baseline"));
    const auto value_of = [&](const json& metrics, const char* which) -> Result<double> {
      auto it = metrics.find(metric);
      if (it == metrics.end() || !it->is_number()) {
        std::string names;
        for (const auto& [name, value] : metrics.items()) {
          names += (names.empty() ? "" : ", ") + name;
        }
        return Fail(ErrorCode::kInvalidArgument,
                    std::string("parameter '") + which + "': the metrics hold no number '" +
                        metric + "'" + (names.empty() ? "" : " (they hold " + names + ")") +
                        "; gate on a metric both sides have");
      }
      return it->get<double>();
    };
    AIMASS_ASSIGN_OR_RETURN(double candidate_value, value_of(candidate, "candidate"));
    json out = {{"passed", true},
                {"candidate_value", candidate_value},
                {"baseline_value", nullptr},
                {"reason", ""}};
    if (baseline.empty()) {
      out["reason"] = metric + " " + Number(candidate_value) + ": no baseline to beat";
      return out;
    }
    AIMASS_ASSIGN_OR_RETURN(double baseline_value, value_of(baseline, "baseline"));
    const double gain =
        higher ? candidate_value - baseline_value : baseline_value - candidate_value;
    const double needed = relative ? min_gain * std::fabs(baseline_value) : min_gain;
    const bool passed = gain >= needed - kTolerance;
    std::string needed_text = Number(needed);
    if (relative)
      needed_text += " (" + Number(min_gain * 100) + "% of " + Number(baseline_value) + ")";
    std::string reason = metric + " " + Number(candidate_value);
    if (passed) {
      reason += " beats " + Number(baseline_value) + " by " + Number(gain) + " ≥ " + needed_text;
    } else {
      reason += " does not beat " + Number(baseline_value) + " by " + needed_text + " (gain " +
                Number(gain) + (higher ? "" : ", lower is better") + ")";
    }
    out["passed"] = passed;
    out["baseline_value"] = baseline_value;
    out["reason"] = reason;
    return out;
  }
};

}  // namespace

std::unique_ptr<StepType> MakeGateStep() { return std::make_unique<GateStep>(); }

}  // namespace aimass::pipelines
