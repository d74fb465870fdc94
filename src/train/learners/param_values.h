// The hyperparameters one Train call runs with: the caller's values checked against the
// learner's ParamSpace, and the space's defaults for the rest. Shared by every learner so
// that "unknown parameter" and "out of range" read the same everywhere.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "train/learner.h"

namespace aimass::train {

// Resolved parameter values, one per name of the space. Immutable once built; safe to read
// from several threads.
class ParamValues {
 public:
  // `params` may be null or an object whose names all belong to `space`. kInvalidArgument
  // names the learner, the parameter and the range it must take.
  static Result<ParamValues> Resolve(std::string_view learner, const ParamSpace& space,
                                     const nlohmann::json& params);

  // Resolve's values, or the space's defaults when `params` does not resolve (for estimates,
  // which cannot fail; Train reports the error).
  static ParamValues ResolveOrDefaults(std::string_view learner, const ParamSpace& space,
                                       const nlohmann::json& params);

  // The value of a parameter of the space (a broken invariant when the name is not one).
  int Int(std::string_view name) const;
  double Double(std::string_view name) const;
  std::string String(std::string_view name) const;
  // Every value, for logs and Info().
  nlohmann::json ToJson() const;

 private:
  const nlohmann::json& Get(std::string_view name) const;
  std::map<std::string, nlohmann::json, std::less<>> values_;
};

// The parameters of a ParamSpace by name, for the specs in each learner's Space().
ParamSpec IntParam(std::string name, int low, int high, int default_value,
                   std::vector<nlohmann::json> grid);
ParamSpec FloatParam(std::string name, double low, double high, double default_value,
                     std::vector<nlohmann::json> grid);
ParamSpec LogFloatParam(std::string name, double low, double high, double default_value,
                        std::vector<nlohmann::json> grid);
ParamSpec ChoiceParam(std::string name, std::vector<nlohmann::json> choices,
                      nlohmann::json default_value);

}  // namespace aimass::train
