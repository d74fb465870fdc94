#include "train/learners/param_values.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <optional>

namespace aimass::train {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// What a parameter accepts, in words: "an integer in [2, 12]".
std::string RangeText(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamSpec::Type::kInt:
      return "an integer in [" + Number(spec.low) + ", " + Number(spec.high) + "]";
    case ParamSpec::Type::kFloat:
    case ParamSpec::Type::kLogFloat:
      return "a number in [" + Number(spec.low) + ", " + Number(spec.high) + "]";
    case ParamSpec::Type::kChoice: {
      std::string text = "one of ";
      for (size_t i = 0; i < spec.choices.size(); ++i) {
        text += (i == 0 ? "" : ", ") + spec.choices[i].dump();
      }
      return text;
    }
  }
  return "";
}

// The value as the spec's type, or nullopt when it does not fit (wrong type or out of range).
std::optional<nlohmann::json> Check(const ParamSpec& spec, const nlohmann::json& value) {
  if (spec.type == ParamSpec::Type::kChoice) {
    for (const auto& choice : spec.choices) {
      if (choice == value) return value;
    }
    return std::nullopt;
  }
  if (!value.is_number()) return std::nullopt;
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < spec.low || number > spec.high) return std::nullopt;
  if (spec.type == ParamSpec::Type::kInt) {
    // 3.0 is accepted as 3 (JSON writers and samplers often produce it); 3.5 is not.
    if (number != std::floor(number)) return std::nullopt;
    return static_cast<int64_t>(number);
  }
  return number;
}

}  // namespace

Result<ParamValues> ParamValues::Resolve(std::string_view learner, const ParamSpace& space,
                                         const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(learner) + " parameters must be a JSON object such as " + "{\"" +
                    (space.empty() ? "name" : space.front().name) + "\": ...}, not " +
                    params.dump());
  }
  ParamValues values;
  for (const auto& spec : space) values.values_[spec.name] = spec.default_value;
  if (params.is_null()) return values;
  for (const auto& [name, value] : params.items()) {
    const ParamSpec* spec = nullptr;
    for (const auto& each : space) {
      if (each.name == name) spec = &each;
    }
    if (spec == nullptr) {
      std::string known;
      for (const auto& each : space) known += (known.empty() ? "" : ", ") + each.name;
      return Fail(ErrorCode::kInvalidArgument, std::string(learner) + " has no parameter '" + name +
                                                   "'; its parameters are: " + known);
    }
    auto checked = Check(*spec, value);
    if (!checked) {
      return Fail(ErrorCode::kInvalidArgument, std::string(learner) + " parameter '" + name +
                                                   "' = " + value.dump() +
                                                   " is out of range; use " + RangeText(*spec));
    }
    values.values_[name] = std::move(*checked);
  }
  return values;
}

ParamValues ParamValues::ResolveOrDefaults(std::string_view learner, const ParamSpace& space,
                                           const nlohmann::json& params) {
  auto values = Resolve(learner, space, params);
  return values ? std::move(*values) : std::move(*Resolve(learner, space, nullptr));
}

const nlohmann::json& ParamValues::Get(std::string_view name) const {
  auto it = values_.find(name);
  assert(it != values_.end() && "a learner asked for a parameter outside its space");
  return it->second;
}

int ParamValues::Int(std::string_view name) const { return Get(name).get<int>(); }
double ParamValues::Double(std::string_view name) const { return Get(name).get<double>(); }
std::string ParamValues::String(std::string_view name) const {
  return Get(name).get<std::string>();
}

nlohmann::json ParamValues::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values_) out[name] = value;
  return out;
}

ParamSpec IntParam(std::string name, int low, int high, int default_value,
                   std::vector<nlohmann::json> grid) {
  return ParamSpec{std::move(name),
                   ParamSpec::Type::kInt,
                   static_cast<double>(low),
                   static_cast<double>(high),
                   {},
                   default_value,
                   std::move(grid)};
}

ParamSpec FloatParam(std::string name, double low, double high, double default_value,
                     std::vector<nlohmann::json> grid) {
  return ParamSpec{std::move(name), ParamSpec::Type::kFloat, low, high, {},
                   default_value,   std::move(grid)};
}

ParamSpec LogFloatParam(std::string name, double low, double high, double default_value,
                        std::vector<nlohmann::json> grid) {
  return ParamSpec{std::move(name), ParamSpec::Type::kLogFloat, low, high, {}, default_value,
                   std::move(grid)};
}

ParamSpec ChoiceParam(std::string name, std::vector<nlohmann::json> choices,
                      nlohmann::json default_value) {
  std::vector<nlohmann::json> grid = choices;
  return ParamSpec{std::move(name),          ParamSpec::Type::kChoice, 0, 0, std::move(choices),
                   std::move(default_value), std::move(grid)};
}

}  // namespace aimass::train
