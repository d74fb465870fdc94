// What a pipeline's values mean: names, step types, the DAG of `needs`, each parameter's
// type, and each reference's step, output and type.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "common/duration.h"
#include "data/dataset_ref.h"
#include "pipelines/cron.h"
#include "pipelines/pipeline_spec.h"
#include "pipelines/references.h"
#include "registry/model_ref.h"

namespace aimass::pipelines {
namespace {

std::string At(const SourceMark& at) { return at.line > 0 ? at.Where() + ": " : ""; }

// Whether an output of type `out` may stand for a parameter of type `param`.
bool Fits(ValueType out, ValueType param) {
  if (out == param) return true;
  switch (param) {
    case ValueType::kString:
      return out != ValueType::kMetrics && out != ValueType::kObject &&
             out != ValueType::kStringList;
    case ValueType::kDataset:
    case ValueType::kModel:
      return out == ValueType::kString;
    case ValueType::kDuration:
      return out == ValueType::kNumber || out == ValueType::kString;
    case ValueType::kObject:
      return out == ValueType::kMetrics;
    default:
      return false;
  }
}

// Checks a literal (reference-free) value against its type; the message names the parameter.
Status CheckLiteral(const nlohmann::json& value, const ParamSpec& param) {
  const std::string what = "parameter '" + param.name + "'";
  auto wrong = [&](const std::string& expected) {
    return Fail(ErrorCode::kInvalidArgument,
                what + " must be " + expected + ", not " + value.dump());
  };
  switch (param.type) {
    case ValueType::kString:
      if (value.is_object() || value.is_array() || value.is_null()) return wrong("text");
      return Ok();
    case ValueType::kNumber:
      if (!value.is_number()) return wrong("a number");
      return Ok();
    case ValueType::kBool:
      if (!value.is_boolean()) return wrong("true or false");
      return Ok();
    case ValueType::kDuration: {
      auto seconds = ParseDurationSeconds(value, what);
      if (!seconds) return Fail(seconds.error());
      if (*seconds < 0) return Fail(ErrorCode::kInvalidArgument, what + " must not be negative");
      return Ok();
    }
    case ValueType::kDataset: {
      if (!value.is_string()) return wrong("a dataset such as sales or sales@3");
      auto ref = data::ParseDatasetRef(value.get<std::string>());
      if (!ref) return Fail(ErrorCode::kInvalidArgument, what + ": " + ref.error().message);
      return Ok();
    }
    case ValueType::kModel: {
      if (!value.is_string()) return wrong("a model such as fraud, fraud@3 or fraud@champion");
      auto ref = registry::ParseModelRef(value.get<std::string>());
      if (!ref) return Fail(ErrorCode::kInvalidArgument, what + ": " + ref.error().message);
      return Ok();
    }
    case ValueType::kMetrics:
      if (!value.is_object()) return wrong("a map of metric: number");
      for (const auto& [metric, number] : value.items()) {
        if (!number.is_number()) {
          return Fail(ErrorCode::kInvalidArgument,
                      what + ": metric '" + metric + "' must be a number");
        }
      }
      return Ok();
    case ValueType::kStringList:
      if (value.is_string()) return Ok();  // "a,b,c"
      if (!value.is_array()) return wrong("a list of text, e.g. [xgboost, linear]");
      for (const auto& item : value) {
        if (!item.is_string()) return wrong("a list of text, e.g. [xgboost, linear]");
      }
      return Ok();
    case ValueType::kObject:
      if (!value.is_object()) return wrong("a map");
      return Ok();
  }
  return Ok();
}

class Checker {
 public:
  Checker(const PipelineSpec& spec, const StepTypeRegistry& types,
          std::vector<std::string>& problems)
      : spec_(spec), types_(types), problems_(problems) {}

  void Run() {
    if (auto name = data::CheckDatasetName(spec_.name); !name) {
      Add({}, "name: " + name.error().message);
    }
    CheckTriggers();
    if (spec_.steps.empty()) Add({}, "the pipeline has no steps");
    if (spec_.steps.size() > 200) Add({}, "a pipeline may have at most 200 steps");
    std::set<std::string> names;
    for (const StepSpec& step : spec_.steps) {
      if (auto name = data::CheckDatasetName(step.name); !name) {
        Add(step.at, "step name: " + name.error().message);
      } else if (!names.insert(step.name).second) {
        Add(step.at, "two steps are named '" + step.name + "'; step names must be unique");
      }
    }
    bool needs_ok = true;
    for (const StepSpec& step : spec_.steps) needs_ok = CheckNeeds(step) && needs_ok;
    if (needs_ok) CheckCycles();
    for (const StepSpec& step : spec_.steps) CheckParams(step, needs_ok && acyclic_);
  }

 private:
  void Add(const SourceMark& at, const std::string& message) {
    problems_.push_back(At(at) + message);
  }

  void CheckTriggers() {
    for (const TriggerSpec& trigger : spec_.triggers) {
      if (trigger.kind == TriggerKind::kCron) {
        if (auto cron = CronSchedule::Parse(trigger.value); !cron) {
          Add(trigger.at, cron.error().message);
        }
      } else if (trigger.kind == TriggerKind::kDataset) {
        if (auto name = data::CheckDatasetName(trigger.value); !name) {
          Add(trigger.at, "dataset trigger: " + name.error().message);
        }
      }
    }
  }

  bool CheckNeeds(const StepSpec& step) {
    bool ok = true;
    for (const std::string& need : step.needs) {
      if (need == step.name) {
        Add(step.at, "step '" + step.name + "' needs itself; remove it from its needs");
        ok = false;
      } else if (spec_.Step(need) == nullptr) {
        Add(step.at,
            "step '" + step.name + "' needs '" + need + "', which is not a step of this pipeline");
        ok = false;
      }
    }
    return ok;
  }

  void CheckCycles() {
    std::map<std::string, int> state;  // 1: on the path, 2: done
    std::vector<std::string> path;
    std::function<bool(const StepSpec&)> visit = [&](const StepSpec& step) {
      state[step.name] = 1;
      path.push_back(step.name);
      for (const std::string& need : step.needs) {
        if (state[need] == 1) {
          std::string cycle;
          auto from = std::find(path.begin(), path.end(), need);
          for (auto it = from; it != path.end(); ++it) cycle += *it + " -> ";
          Add(spec_.Step(need)->at, "the steps' needs form a cycle: " + cycle + need +
                                        "; a step cannot wait for a step that waits for it");
          return false;
        }
        if (state[need] == 0 && !visit(*spec_.Step(need))) return false;
      }
      state[step.name] = 2;
      path.pop_back();
      return true;
    };
    for (const StepSpec& step : spec_.steps) {
      if (state[step.name] == 0 && !visit(step)) {
        acyclic_ = false;
        return;
      }
    }
  }

  void CheckParams(const StepSpec& step, bool dag_ok) {
    const std::string what = "step '" + step.name + "'";
    const StepType* type = types_.Find(step.type);
    if (type == nullptr) {
      std::string known;
      for (const std::string& name : types_.Names()) known += (known.empty() ? "" : ", ") + name;
      Add(step.at, what + ": unknown type '" + step.type + "'; the types are " + known);
      return;
    }
    const std::vector<ParamSpec> params = type->params();
    nlohmann::json literals = nlohmann::json::object();
    for (const auto& [key, value] : step.with.items()) {
      const SourceMark at = MarkOf(step, key);
      auto param = std::find_if(params.begin(), params.end(),
                                [&](const ParamSpec& p) { return p.name == key; });
      if (param == params.end()) {
        std::string known;
        for (const ParamSpec& p : params) known += (known.empty() ? "" : ", ") + p.name;
        Add(at, what + ": " + step.type + " has no parameter '" + key + "'; its parameters are " +
                    known);
        continue;
      }
      if (HasReferences(value)) {
        CheckReferences(step, *param, value, at, dag_ok);
      } else if (auto ok = CheckLiteral(value, *param); !ok) {
        Add(at, what + ": " + ok.error().message);
      } else {
        literals[key] = value;
      }
    }
    for (const ParamSpec& param : params) {
      if (param.required && !step.with.contains(param.name)) {
        Add(step.at, what + ": " + step.type + " needs the parameter '" + param.name + "' (" +
                         param.help + ")");
      }
    }
    if (auto ok = type->CheckLiterals(literals); !ok) {
      Add(step.at, what + ": " + ok.error().message);
    }
  }

  void CheckReferences(const StepSpec& step, const ParamSpec& param, const nlohmann::json& value,
                       const SourceMark& at, bool dag_ok) {
    const std::string what = "step '" + step.name + "': parameter '" + param.name + "'";
    std::vector<std::string> texts;
    CollectStrings(value, texts);
    const bool whole = value.is_string();
    for (const std::string& text : texts) {
      auto references = FindReferences(text);
      if (!references) {
        Add(at, what + ": " + references.error().message);
        continue;
      }
      const bool alone = whole && references->size() == 1 && (*references)[0].begin == 0 &&
                         (*references)[0].end == text.size();
      for (const Reference& reference : *references) {
        std::optional<ValueType> type = ReferenceType(step, reference, at, what, dag_ok);
        if (!type) continue;
        const ValueType stands_for = alone ? param.type : ValueType::kString;
        if (!Fits(*type, stands_for)) {
          Add(at, what + " is " + std::string(ValueTypeName(stands_for)) + ", but " +
                      reference.text + " is " + std::string(ValueTypeName(*type)));
        }
      }
    }
  }

  // The type of what a reference stands for, or nullopt after adding the problem.
  std::optional<ValueType> ReferenceType(const StepSpec& step, const Reference& reference,
                                         const SourceMark& at, const std::string& what,
                                         bool dag_ok) {
    switch (reference.kind) {
      case Reference::Kind::kRunId:
        return ValueType::kNumber;
      case Reference::Kind::kPipelineName:
        return ValueType::kString;
      case Reference::Kind::kTriggerDataset:
        if (spec_.TriggerDataset().empty()) {
          Add(at, what + ": " + reference.text +
                      " needs a dataset trigger; add one under triggers (- dataset: NAME)");
          return std::nullopt;
        }
        return ValueType::kDataset;
      case Reference::Kind::kStepOutput:
        break;
    }
    const StepSpec* source = spec_.Step(reference.step);
    if (source == nullptr) {
      Add(at, what + ": " + reference.text + " names step '" + reference.step +
                  "', which is not a step of this pipeline");
      return std::nullopt;
    }
    if (dag_ok && !Needs(spec_, step.name, reference.step)) {
      Add(at, what + ": " + reference.text + " is an output of '" + reference.step + "', but '" +
                  step.name + "' does not need it; add " + reference.step + " to its needs");
      return std::nullopt;
    }
    const StepType* type = types_.Find(source->type);
    if (type == nullptr) return std::nullopt;  // reported at that step
    for (const OutputSpec& output : type->outputs()) {
      if (output.name == reference.output) return output.type;
    }
    std::string known;
    for (const OutputSpec& output : type->outputs()) {
      known += (known.empty() ? "" : ", ") + output.name;
    }
    Add(at, what + ": " + reference.text + ": a " + source->type + " step has no output '" +
                reference.output + "'; its outputs are " + known);
    return std::nullopt;
  }

  static void CollectStrings(const nlohmann::json& value, std::vector<std::string>& out) {
    if (value.is_string()) {
      out.push_back(value.get<std::string>());
    } else if (value.is_object() || value.is_array()) {
      for (const auto& item : value) CollectStrings(item, out);
    }
  }

  static SourceMark MarkOf(const StepSpec& step, const std::string& key) {
    auto it = step.param_marks.find(key);
    return it == step.param_marks.end() ? step.at : it->second;
  }

  const PipelineSpec& spec_;
  const StepTypeRegistry& types_;
  std::vector<std::string>& problems_;
  bool acyclic_ = true;
};

}  // namespace

const StepSpec* PipelineSpec::Step(std::string_view name) const {
  for (const StepSpec& step : steps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

std::string PipelineSpec::TriggerDataset() const {
  for (const TriggerSpec& trigger : triggers) {
    if (trigger.kind == TriggerKind::kDataset) return trigger.value;
  }
  return "";
}

void CheckPipeline(const PipelineSpec& spec, const StepTypeRegistry& types,
                   std::vector<std::string>& problems) {
  Checker(spec, types, problems).Run();
}

std::vector<const StepSpec*> TopologicalOrder(const PipelineSpec& spec) {
  std::vector<const StepSpec*> order;
  std::set<std::string> placed;
  while (order.size() < spec.steps.size()) {
    const size_t before = order.size();
    for (const StepSpec& step : spec.steps) {
      if (placed.count(step.name) != 0) continue;
      const bool ready = std::all_of(step.needs.begin(), step.needs.end(),
                                     [&](const std::string& need) { return placed.count(need); });
      if (ready) {
        order.push_back(&step);
        placed.insert(step.name);
      }
    }
    if (order.size() == before) break;  // a cycle: checked specs have none
  }
  return order;
}

bool Needs(const PipelineSpec& spec, std::string_view step, std::string_view ancestor) {
  std::vector<std::string_view> pending = {step};
  std::set<std::string_view> seen;
  while (!pending.empty()) {
    const StepSpec* current = spec.Step(pending.back());
    pending.pop_back();
    if (current == nullptr) continue;
    for (const std::string& need : current->needs) {
      if (need == ancestor) return true;
      if (seen.insert(need).second) pending.push_back(need);
    }
  }
  return false;
}

}  // namespace aimass::pipelines
